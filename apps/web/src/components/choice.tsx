import type { Key } from 'react-aria-components';
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue } from 'react-aria-components';

/** A labelled single choice (React Aria Select): a button that opens a list; sent in forms under `name`. */
export function Choice<K extends string>({
  label,
  name,
  options,
  value,
  onChange,
}: {
  label: string;
  name?: string;
  options: readonly { id: K; label: string }[];
  value: K;
  onChange: (value: K) => void;
}) {
  return (
    <Select className="field" {...(name ? { name } : {})} selectedKey={value} onSelectionChange={(k: Key | null) => k !== null && onChange(k as K)}>
      <Label className="field-label">{label}</Label>
      <Button className="field-input select-button">
        <SelectValue />
        <span aria-hidden="true"> ▾</span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox">
          {options.map((o) => (
            <ListBoxItem key={o.id} id={o.id} className="listbox-item">
              {o.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}

export const ROLE_OPTIONS = [
  { id: 'student', label: 'Student' },
  { id: 'teacher', label: 'Teacher' },
  { id: 'observer', label: 'Observer' },
  { id: 'admin', label: 'Administrator' },
] as const;
