package ldaptest

// Group names used by both fixtures.
const (
	// GroupUsers holds everyone allowed to log in to Zirkel.
	GroupUsers = "zirkel-users"
	// GroupAdmins holds Zirkel administrators.
	GroupAdmins = "zirkel-admins"
	// GroupCDO holds Chief Digital Officers.
	GroupCDO = "zirkel-cdo"
)

// MusterhausenFixture is the directory of authority 1, the district
// Kreis Musterhausen (dc=kreis-musterhausen,dc=example). Passwords are
// "Geheim-<uid>-1".
//
//	anna      Anna Schneider, Chief Digital Officer   zirkel-users, zirkel-cdo
//	jonas     Jonas Weber, IT administrator           zirkel-users, zirkel-admins
//	lena      Lena Fischer                            zirkel-users, but Disabled
//	paul      Paul Becker                             not in zirkel-users (only bauamt)
//	o'brien   Siobhán O'Brien (uid with apostrophe)   zirkel-users
//
// The group zirkel-gaeste has no users (the service account is its
// placeholder member).
func MusterhausenFixture() Fixture {
	const domain = "@kreis-musterhausen.example"
	user := func(uid, cn, mail, title string) User {
		return User{UID: uid, CN: cn, Mail: mail + domain, Title: title, Password: "Geheim-" + uid + "-1"}
	}
	lena := user("lena", "Lena Fischer", "lena.fischer", "Sachbearbeiterin Bürgerservice")
	lena.Disabled = true
	return Fixture{
		BaseDN:       "dc=kreis-musterhausen,dc=example",
		Organisation: "Kreis Musterhausen",
		Users: []User{
			user("anna", "Anna Schneider", "anna.schneider", "Chief Digital Officer"),
			user("jonas", "Jonas Weber", "jonas.weber", "IT-Administrator"),
			lena,
			user("paul", "Paul Becker", "paul.becker", "Sachbearbeiter Bauamt"),
			user("o'brien", "Siobhán O'Brien", "siobhan.obrien", "Referentin Digitalisierung"),
		},
		Groups: []Group{
			{CN: GroupUsers, Members: []string{"anna", "jonas", "lena", "o'brien"}},
			{CN: GroupAdmins, Members: []string{"jonas"}},
			{CN: GroupCDO, Members: []string{"anna"}},
			{CN: "bauamt", Members: []string{"paul"}},
			{CN: "zirkel-gaeste"},
		},
	}
}

// BeispielstadtFixture is the directory of authority 2, the city
// Stadt Beispiel (dc=stadt-beispiel,dc=example). Its anna is a different
// person from Musterhausen's, with another password, which proves the two
// directories are separate. Passwords are "Beispiel-<uid>-1".
//
//	anna    Anna Lehmann, Leiterin Hauptamt   zirkel-users, zirkel-cdo
//	erika   Erika Musterfrau                  zirkel-users, zirkel-admins
//	max     Max Mustermann                    not in zirkel-users
func BeispielstadtFixture() Fixture {
	const domain = "@stadt-beispiel.example"
	user := func(uid, cn, mail, title string) User {
		return User{UID: uid, CN: cn, Mail: mail + domain, Title: title, Password: "Beispiel-" + uid + "-1"}
	}
	return Fixture{
		BaseDN:       "dc=stadt-beispiel,dc=example",
		Organisation: "Stadt Beispiel",
		Users: []User{
			user("anna", "Anna Lehmann", "anna.lehmann", "Leiterin Hauptamt"),
			user("erika", "Erika Musterfrau", "erika.musterfrau", "Digitallotsin"),
			user("max", "Max Mustermann", "max.mustermann", "Sachbearbeiter Ordnungsamt"),
		},
		Groups: []Group{
			{CN: GroupUsers, Members: []string{"anna", "erika"}},
			{CN: GroupAdmins, Members: []string{"erika"}},
			{CN: GroupCDO, Members: []string{"anna"}},
		},
	}
}
