package live

import (
	"context"

	"zirkel/ent/schema/gid"
)

// subjectSurveyPrefix carries "a survey got a response".
const subjectSurveyPrefix = "zirkel.survey."

// Watch sends load's result now and again after every change of the survey, until ctx ends.
// Changes arriving while a result is being computed are folded into the next one.
func Watch[T any](ctx context.Context, h *Hub, surveyID gid.ID, load func(context.Context) (T, error)) (<-chan T, error) {
	first, err := load(ctx)
	if err != nil {
		return nil, err
	}
	changed := make(chan struct{}, 1)
	unsub, err := h.broker.Subscribe(subjectSurveyPrefix+string(surveyID), func([]byte) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return nil, err
	}
	out := make(chan T, 1)
	out <- first
	go func() {
		defer close(out)
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				v, err := load(ctx)
				if err != nil {
					h.logger.Error("reloading live results", "survey", surveyID, "err", err)
					continue
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
