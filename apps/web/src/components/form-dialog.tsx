import { useState, type FormEvent, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Form, Heading, Modal } from 'react-aria-components';
import { ApiProblem } from '../api/problem';
import { messageOf } from './load-state';

/** What a form shows after a failed send: a sentence in the alert, and the server's words per field. */
export interface FormError {
  text: string;
  fields: Record<string, string>;
}

/**
 * Reads a form and sends it. A string it returns says what is wrong with the form (nothing was
 * sent); a thrown problem is shown after `failure` ("Not saved: …"), and an invalid-request problem
 * also marks the fields it names.
 */
export type FormSend = (form: FormData) => Promise<string | undefined>;

/** A form's sending state: busy while `send` runs, the error it left, and `submit` for the form's onSubmit. */
export function useFormSend(failure: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  /** Resolves true once `send` went through. */
  const submit = async (ev: FormEvent<HTMLFormElement>, send: FormSend): Promise<boolean> => {
    ev.preventDefault();
    const form = new FormData(ev.currentTarget);
    setBusy(true);
    setError(null);
    let wrong: string | undefined;
    try {
      wrong = await send(form);
    } catch (err) {
      setError({ text: `${failure}: ${messageOf(err)}.`, fields: err instanceof ApiProblem && err.code === 'invalid-request' ? err.fieldErrors() : {} });
      setBusy(false);
      return false;
    }
    setBusy(false);
    if (wrong !== undefined) setError({ text: wrong, fields: {} });
    return wrong === undefined;
  };
  return { busy, error, submit, clear: () => setError(null) };
}

/** The alert over a form: announced when it appears (role=alert). */
export function FormAlert({ error }: { error: FormError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="form-alert">
      {error.text}
    </p>
  );
}

export interface FormDialogProps {
  /** The button that opens the dialog, and a name for it when its text alone does not say what it acts on. */
  trigger: string;
  triggerName?: string;
  triggerClassName?: string;
  /** `modal modal-tall` for a long form. */
  modalClassName?: string;
  title: string;
  /** The sending button's text: "Create", "Save". */
  submit: string;
  /** What failing is called in the alert: "Not created". */
  failure: string;
  send: FormSend;
  /** The form's fields. */
  children: ReactNode;
}

/**
 * A form in a modal dialog (React Aria: focus trapped, Escape closes, focus returns to the trigger):
 * the title, the alert, the fields, Cancel and the sending button, busy while the request runs. It
 * closes when the send went through and stays open with the server's words when it did not.
 */
export function FormDialog({
  trigger,
  triggerName,
  triggerClassName = 'btn btn-primary',
  modalClassName = 'modal',
  title,
  submit,
  failure,
  send,
  children,
}: FormDialogProps) {
  const sending = useFormSend(failure);
  return (
    <DialogTrigger onOpenChange={sending.clear}>
      <Button className={triggerClassName} {...(triggerName ? { 'aria-label': triggerName } : {})}>
        {trigger}
      </Button>
      <Modal className={modalClassName} isDismissable>
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">{title}</Heading>
              <FormAlert error={sending.error} />
              <Form
                className="form"
                onSubmit={(ev) => void sending.submit(ev, send).then((sent) => sent && close())}
                validationErrors={sending.error?.fields ?? {}}
              >
                {children}
                <div className="dialog-actions">
                  <Button className="btn" onPress={close}>
                    Cancel
                  </Button>
                  <Button type="submit" className="btn btn-primary" isPending={sending.busy}>
                    {submit}
                  </Button>
                </div>
              </Form>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}
