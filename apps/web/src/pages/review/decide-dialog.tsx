import { useState, type FormEvent } from 'react';
import { Button, Dialog, DialogTrigger, FieldError, Form, Heading, Label, Modal, Radio, RadioGroup, Text } from 'react-aria-components';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import { TextAreaField } from './text-area-field';
import {
  DECISION_DONE,
  DECISION_HINT,
  DECISION_LABEL,
  detectorName,
  needsNote,
  occurrencesWord,
  NOTE_MAX,
  problemWords,
  STATE_LABEL,
  type Decision,
  type FlagView,
} from './review-words';

/**
 * Deciding a flag, in a modal dialog (React Aria: focus kept inside, Escape closes, focus back on the
 * button): the decisions its state allows, the note (required where the server requires it, and said
 * as the field's error), and an optional note to the student. A refusal keeps the dialog open with the
 * server's answer in words; a state that moved on meanwhile reloads the page when the dialog closes (`onStale`).
 */
export function DecideDialog({
  flag,
  decisions,
  onDecided,
  onStale,
}: {
  flag: FlagView;
  decisions: readonly Decision[];
  onDecided: (decision: Decision) => void;
  onStale: () => void;
}) {
  const [isOpen, setOpen] = useState(false);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The flag moved on meanwhile: the page reloads once the dialog closes (reloading now could take the dialog, and its answer, away).
  const [stale, setStale] = useState(false);
  const name = detectorName(flag.kind);
  const noteNeeded = decision !== null && needsNote(flag.state, decision);

  const open = (next: boolean) => {
    setOpen(next);
    if (!next && stale) {
      setStale(false);
      onStale();
    }
    if (next) {
      setDecision(null);
      setErrors({});
      setAlert(null);
    }
  };

  const send = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!decision) return;
    const form = new FormData(e.currentTarget);
    const note = String(form.get('note') ?? '').trim();
    const noteToStudent = String(form.get('noteToStudent') ?? '').trim();
    setErrors({});
    setAlert(null);
    setBusy(true);
    try {
      await unwrap(
        api.POST('/v1/flags/{flagId}/decisions', {
          params: { path: { flagId: flag.id } },
          body: { decision, ...(note ? { note } : {}), ...(noteToStudent ? { noteToStudent } : {}) },
        }),
      );
      setOpen(false);
      onDecided(decision);
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'note-required') setErrors({ note: problemWords(err) });
      else if (err instanceof ApiProblem && err.code === 'invalid-request' && Object.keys(err.fieldErrors()).length > 0) setErrors(err.fieldErrors());
      else {
        setAlert(`Not decided: ${problemWords(err)}`);
        if (err instanceof ApiProblem && (err.code === 'invalid-transition' || err.code === 'second-reviewer-required')) setStale(true);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <DialogTrigger isOpen={isOpen} onOpenChange={open}>
      <Button className="btn" aria-label={`Decide on the ${name} flag`}>
        Decide
      </Button>
      <Modal className="modal" isDismissable>
        <Dialog className="dialog">
          <Form onSubmit={(e) => void send(e)} validationErrors={errors}>
            <Heading slot="title">Decide on the {name} flag</Heading>
            <p className="muted">
              It is {STATE_LABEL[flag.state]}, {flag.severity}, with {occurrencesWord(flag.occurrences)}.
            </p>
            {alert && (
              <p role="alert" className="form-alert">
                {alert}
              </p>
            )}
            <RadioGroup
              className="field radio-group"
              name="decision"
              isRequired
              value={decision}
              onChange={(v) => setDecision(v as Decision)}
              validate={(v) => (v ? null : 'Choose a decision.')}
            >
              <Label className="field-label">Decision</Label>
              {decisions.map((d) => (
                <Radio key={d} value={d} className="radio">
                  {DECISION_LABEL[d]}
                </Radio>
              ))}
              {decision && (
                <Text slot="description" className="field-hint">
                  {DECISION_HINT[decision]}
                </Text>
              )}
              <div className="field-error-slot">
                <FieldError className="field-error" />
              </div>
            </RadioGroup>
            <TextAreaField
              name="note"
              label={noteNeeded ? 'Note for the reviewers (required)' : 'Note for the reviewers (optional)'}
              maxLength={NOTE_MAX}
              validate={(v) => (noteNeeded && !v.trim() ? `A note is required to ${DECISION_LABEL[decision].toLowerCase()} this flag.` : null)}
            />
            <TextAreaField
              name="noteToStudent"
              label="Note to the student (optional)"
              description="The student sees it with the outcome; the note for the reviewers stays with the reviewers."
              maxLength={NOTE_MAX}
            />
            <div className="dialog-actions">
              <Button className="btn" onPress={() => open(false)}>
                Cancel
              </Button>
              <Button type="submit" className="btn btn-primary" isPending={busy}>
                {decision ? `${DECISION_LABEL[decision]} the flag` : 'Send the decision'}
              </Button>
            </div>
          </Form>
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

export const decidedWords = (flag: FlagView, decision: Decision) => `The ${detectorName(flag.kind)} flag is ${DECISION_DONE[decision]}.`;
