import type { Ref } from 'react';
import { FieldError, Input, Label, Text, TextField, type TextFieldProps } from 'react-aria-components';

export interface FieldProps extends Omit<TextFieldProps, 'children' | 'className'> {
  label: string;
  /** A hint under the field, read with it (aria-describedby). */
  description?: string;
  placeholder?: string;
  inputRef?: Ref<HTMLInputElement>;
}

/**
 * A labelled text field (React Aria): the label, the input, a hint, and the field's error, each
 * tied to the input for screen readers. Errors come from the browser's checks, `validate`, or the
 * form's `validationErrors` (the server's answer); they show when the field is left or the form sent.
 */
export function Field({ label, description, placeholder, inputRef, ...props }: FieldProps) {
  return (
    <TextField {...props} className="field">
      <Label className="field-label">{label}</Label>
      <Input className="field-input" ref={inputRef} {...(placeholder ? { placeholder } : {})} />
      {description && (
        <Text slot="description" className="field-hint">
          {description}
        </Text>
      )}
      {/* A line kept for the error even while there is none: errors come and go as a field loses
          focus, and a button that moved between mouse-down and mouse-up would miss the click. */}
      <div className="field-error-slot">
        <FieldError className="field-error" />
      </div>
    </TextField>
  );
}
