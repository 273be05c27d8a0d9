package graph

import (
	"zirkel/graph/model"
	"zirkel/server/privacy"
)

// accountDeletion is a pending deletion as the API shows it.
func accountDeletion(p *privacy.Pending, err error) (*model.AccountDeletion, error) {
	if p == nil || err != nil {
		return nil, err
	}
	return &model.AccountDeletion{DueAt: p.DueAt, ContentChoice: p.Content}, nil
}
