// Package graph holds Zirkel's GraphQL resolvers. They are thin: reads go through entgql's
// pagination (which eager-loads what the query selects, so pages cost a constant number of SQL
// statements), writes through ent inside the request's transaction, where the write rules of
// server/integrity apply.
package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"zirkel/ent"
	"zirkel/ent/schema/gid"
	"zirkel/graph/generated"
	"zirkel/server/apperr"
	"zirkel/server/auth"
	"zirkel/server/live"
	"zirkel/server/notify"
	"zirkel/server/privacy"
	"zirkel/server/search"
)

// Resolver is the root of the resolvers and the place where their dependencies are injected.
type Resolver struct {
	client       *ent.Client
	auth         *auth.Service
	live         *live.Hub
	searchIndex  *search.Index
	notify       *notify.Service
	surveySecret []byte // keys anonymous survey responses; never stored in the database
	privacy      *privacy.Eraser
	exporter     *privacy.Exporter
}

// Deps are what the resolvers need.
type Deps struct {
	Client       *ent.Client
	Auth         *auth.Service
	Live         *live.Hub
	Search       *search.Index
	Notify       *notify.Service
	SurveySecret []byte
	Privacy      *privacy.Eraser
	// Exporter builds DSGVO exports (nil: one that records exports nowhere but the log).
	Exporter *privacy.Exporter
}

// NewSchema returns the executable schema over the dependencies.
func NewSchema(d Deps) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers:  &Resolver{client: d.Client, auth: d.Auth, live: d.Live, searchIndex: d.Search, notify: d.Notify, surveySecret: d.SurveySecret, privacy: d.Privacy, exporter: exporterOr(d)},
		Directives: generated.DirectiveRoot{FilterGuard: FilterGuard},
	})
}

// nodeTable tells entgql which table an id belongs to, from the id's prefix.
func nodeTable(_ context.Context, id gid.ID) (string, error) { return gid.Table(id) }

// notFoundAs names the input field when err says that an object does not exist.
func notFoundAs(field string, err error) error {
	if ent.IsNotFound(err) {
		return apperr.NotFound(field)
	}
	return err
}

// maxNodes is the most ids one `nodes` call may ask for, the same as the page size cap.
const maxNodes = 100

func tooManyNodes() error { return apperr.Invalid("ids", "at most 100 ids at once") }
