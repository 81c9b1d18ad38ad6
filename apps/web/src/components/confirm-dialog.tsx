import { useState, type ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal } from 'react-aria-components';
import { messageOf } from './load-state';

export interface ConfirmDialogProps {
  /** The button that opens the dialog: its text, and a name that says what it acts on when the text alone does not. */
  trigger: string;
  triggerName?: string;
  /** The question, as the dialog's title. */
  title: string;
  /** What follows from confirming. */
  children: ReactNode;
  confirm: string;
  /** The button that leaves things as they are. */
  keep?: string;
  /** What failing is called in the alert: "Not revoked". */
  failure: string;
  /** The change itself; the dialog stays open with the server's words when it fails. */
  action: () => Promise<unknown>;
  onDone: () => void;
}

/**
 * A change that cannot be undone asks first, in a modal dialog (React Aria: focus trapped, Escape
 * closes, focus returns to the trigger); the confirming button shows it is busy while the request runs.
 */
export function ConfirmDialog({ trigger, triggerName, title, children, confirm, keep = 'Keep it', failure, action, onDone }: ConfirmDialogProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <DialogTrigger onOpenChange={() => setError(null)}>
      <Button className="btn btn-quiet" {...(triggerName ? { 'aria-label': triggerName } : {})}>
        {trigger}
      </Button>
      <Modal className="modal" isDismissable>
        <Dialog className="dialog">
          {({ close }) => (
            <>
              <Heading slot="title">{title}</Heading>
              <p>{children}</p>
              {error && (
                <p role="alert" className="form-alert">
                  {error}
                </p>
              )}
              <div className="dialog-actions">
                <Button className="btn" onPress={close}>
                  {keep}
                </Button>
                <Button
                  className="btn btn-primary"
                  isPending={busy}
                  onPress={() => {
                    setBusy(true);
                    void action().then(
                      () => {
                        setBusy(false);
                        close();
                        onDone();
                      },
                      (err: unknown) => {
                        setBusy(false);
                        setError(`${failure}: ${messageOf(err)}.`);
                      },
                    );
                  }}
                >
                  {confirm}
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}
