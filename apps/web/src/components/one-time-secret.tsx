import { useState } from 'react';
import { Button } from 'react-aria-components';

/**
 * A secret the server shows once (an invitation or reset link, an API key): in a read-only field
 * to select, with a copy button and what to do with it. It is gone when the page is left.
 */
export function OneTimeSecret({ label, value, note }: { label: string; value: string; note: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const id = `secret-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no'); // no clipboard (an insecure origin, a refusal): the field can still be selected
    }
  };
  return (
    <section aria-labelledby={`${id}-h`} className="card secret">
      <h2 id={`${id}-h`}>{label}</h2>
      <p>{note}</p>
      <p className="secret-row">
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        <input id={id} className="field-input" readOnly value={value} onFocus={(e) => e.currentTarget.select()} data-testid="one-time-secret" />
        <Button className="btn" onPress={() => void copy()}>
          Copy
        </Button>
      </p>
      <p role="status" className="muted">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Could not copy: select the text and copy it yourself.' : 'Shown once: it cannot be shown again.'}
      </p>
    </section>
  );
}
