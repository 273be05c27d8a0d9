package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"zirkel/ent"
	"zirkel/ent/organisation"
	"zirkel/ent/schema"
)

// kreiseCSV lists the 400 districts: ags (5 digits), name, kind, state_code, population.
//
//go:embed kreise.csv
var kreiseCSV []byte

// bulkSize is the number of rows written by one bulk insert.
const bulkSize = 100

// District is one row of kreise.csv.
type District struct {
	Key        string // the first five digits of the AGS
	Name       string
	Kind       organisation.Kind
	StateCode  string // "01" to "16"
	Population int
}

// AGS returns the district's full 8-digit official key.
func (d District) AGS() string { return d.Key + "000" }

var districtKeyPattern = regexp.MustCompile(`^(0[1-9]|1[0-6])[0-9]{3}$`)

// Districts returns the 400 districts that the demo loads, in the order of their keys.
func Districts() ([]District, error) { return parseDistricts(kreiseCSV) }

func parseDistricts(data []byte) ([]District, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 5
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header of kreise.csv: %w", err)
	}
	if want := []string{"ags", "name", "kind", "state_code", "population"}; fmt.Sprint(header) != fmt.Sprint(want) {
		return nil, fmt.Errorf("reading kreise.csv: header is %v, want %v", header, want)
	}
	var out []District
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading kreise.csv: %w", err)
		}
		d, err := parseDistrict(rec)
		if err != nil {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("reading kreise.csv line %d: %w", line, err)
		}
		out = append(out, d)
	}
}

func parseDistrict(rec []string) (District, error) {
	d := District{Key: rec[0], Name: rec[1], Kind: organisation.Kind(rec[2]), StateCode: rec[3]}
	if !districtKeyPattern.MatchString(d.Key) {
		return d, fmt.Errorf("ags %q is not a 5-digit district key", d.Key)
	}
	if d.Name == "" {
		return d, fmt.Errorf("district %s has no name", d.Key)
	}
	if d.Kind != organisation.KindLANDKREIS && d.Kind != organisation.KindKREISFREIE_STADT {
		return d, fmt.Errorf("district %s has kind %q", d.Key, d.Kind)
	}
	if d.StateCode != d.Key[:2] {
		return d, fmt.Errorf("district %s has state code %q", d.Key, d.StateCode)
	}
	pop, err := strconv.Atoi(rec[4])
	if err != nil || pop < 0 {
		return d, fmt.Errorf("district %s has population %q", d.Key, rec[4])
	}
	d.Population = pop
	return d, nil
}

// landNames are the official names of the Länder, in the order of their state code (01-16).
var landNames = [16]string{
	"Land Schleswig-Holstein", "Freie und Hansestadt Hamburg", "Land Niedersachsen",
	"Freie Hansestadt Bremen", "Land Nordrhein-Westfalen", "Land Hessen",
	"Land Rheinland-Pfalz", "Land Baden-Württemberg", "Freistaat Bayern", "Saarland",
	"Land Berlin", "Land Brandenburg", "Land Mecklenburg-Vorpommern", "Freistaat Sachsen",
	"Land Sachsen-Anhalt", "Freistaat Thüringen",
}

// orgSpec is an organisation that is neither a Land nor a district.
type orgSpec struct {
	key     string // how members and practices refer to it
	name    string
	kind    organisation.Kind
	ags     string // empty for none
	parent  string // key of the parent organisation
	website string
}

// otherOrganisations are the federal level, some municipalities (with their real official keys)
// and the non-authority participants, all of the latter fictional.
var otherOrganisations = []orgSpec{
	{key: "bund", name: "Bund – Bundesministerium des Innern", kind: organisation.KindBUND},
	{key: "norderstedt", name: "Stadt Norderstedt", kind: organisation.KindGEMEINDE, ags: "01060063", parent: "01060"},
	{key: "bad-homburg", name: "Stadt Bad Homburg v. d. Höhe", kind: organisation.KindGEMEINDE, ags: "06434001", parent: "06434"},
	{key: "magstadt", name: "Gemeinde Magstadt", kind: organisation.KindGEMEINDE, ags: "08115045", parent: "08115"},
	{key: "garmisch", name: "Markt Garmisch-Partenkirchen", kind: organisation.KindGEMEINDE, ags: "09180117", parent: "09180"},
	{key: "beispielsoft", name: "Beispielsoft Verwaltungslösungen GmbH (fiktiv)", kind: organisation.KindVENDOR,
		website: "https://www.beispielsoft.example"},
	{key: "formularwerk", name: "Formularwerk Digital AG (fiktiv)", kind: organisation.KindVENDOR,
		website: "https://www.formularwerk.example"},
	{key: "fidv", name: "Forschungsinstitut für digitale Verwaltung (fiktiv)", kind: organisation.KindRESEARCH,
		website: "https://www.fidv.example"},
	{key: "netzwerk", name: "Netzwerk Digitale Kommune e. V. (fiktiv)", kind: organisation.KindASSOCIATION,
		website: "https://www.netzwerk-digitale-kommune.example"},
}

// landKey is the key of a Land's organisation, by its two-digit state code.
func landKey(stateCode string) string { return "land-" + stateCode }

func (l *loader) loadOrganisations(ctx context.Context) error {
	districts, err := Districts()
	if err != nil {
		return err
	}
	if err := l.createLaender(ctx, districts); err != nil {
		return err
	}
	if err := l.createDistricts(ctx, districts); err != nil {
		return err
	}
	for _, o := range otherOrganisations {
		c := l.client.Organisation.Create().SetName(o.name).SetKind(o.kind)
		if o.website != "" {
			c.SetWebsite(o.website)
		}
		if o.ags != "" {
			c.SetAgs(o.ags)
		}
		if o.parent != "" {
			parent, err := lookupOne("organisation", l.orgs, o.parent)
			if err != nil {
				return err
			}
			c.SetParentID(parent)
		}
		org, err := c.Save(ctx)
		if err != nil {
			return fmt.Errorf("creating %s: %w", o.name, err)
		}
		l.orgs[o.key] = org.ID
	}
	l.counts.organisations += len(otherOrganisations)
	return nil
}

// createLaender creates the 16 Länder with the sum of their districts' population. A Land's key
// is its state code followed by six zeros, except for the city states Berlin and Hamburg: there
// that key belongs to the city, which kreise.csv lists as a district, and the Land gets its
// state without an ags (ags is unique).
func (l *loader) createLaender(ctx context.Context, districts []District) error {
	population := map[string]int{}
	districtKeys := map[string]bool{}
	for _, d := range districts {
		population[d.StateCode] += d.Population
		districtKeys[d.AGS()] = true
	}
	builders := make([]*ent.OrganisationCreate, 0, len(landNames))
	for i, name := range landNames {
		code := fmt.Sprintf("%02d", i+1)
		c := l.client.Organisation.Create().SetName(name).SetKind(organisation.KindLAND).
			SetPopulation(population[code])
		if ags := code + "000000"; districtKeys[ags] {
			c.SetState(organisation.State(schema.States[i]))
		} else {
			c.SetAgs(ags)
		}
		builders = append(builders, c)
	}
	laender, err := l.client.Organisation.CreateBulk(builders...).Save(ctx)
	if err != nil {
		return fmt.Errorf("creating the Länder: %w", err)
	}
	for i, land := range laender {
		l.orgs[landKey(fmt.Sprintf("%02d", i+1))] = land.ID
	}
	l.counts.organisations += len(laender)
	return nil
}

// createDistricts creates the districts under their Land, in bulk.
func (l *loader) createDistricts(ctx context.Context, districts []District) error {
	for start := 0; start < len(districts); start += bulkSize {
		batch := districts[start:min(start+bulkSize, len(districts))]
		builders := make([]*ent.OrganisationCreate, len(batch))
		for i, d := range batch {
			land, err := lookupOne("Land", l.orgs, landKey(d.StateCode))
			if err != nil {
				return err
			}
			builders[i] = l.client.Organisation.Create().SetName(d.Name).SetKind(d.Kind).
				SetAgs(d.AGS()).SetPopulation(d.Population).SetParentID(land)
		}
		created, err := l.client.Organisation.CreateBulk(builders...).Save(ctx)
		if err != nil {
			return fmt.Errorf("creating districts %s to %s: %w", batch[0].Key, batch[len(batch)-1].Key, err)
		}
		for i, org := range created {
			l.orgs[batch[i].Key] = org.ID
		}
		l.counts.organisations += len(created)
	}
	return nil
}
