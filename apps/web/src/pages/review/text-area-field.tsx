import { FieldError, Label, Text, TextArea, TextField, type TextFieldProps } from 'react-aria-components';

/**
 * A labelled multi-line text field (React Aria), like components/Field: the label, a hint and the
 * field's error tied to it; errors from `validate`, the browser's checks or the form's validationErrors.
 */
export function TextAreaField({ label, description, ...props }: Omit<TextFieldProps, 'children' | 'className'> & { label: string; description?: string }) {
  return (
    <TextField {...props} className="field">
      <Label className="field-label">{label}</Label>
      <TextArea className="field-input field-textarea" rows={3} />
      {description && (
        <Text slot="description" className="field-hint">
          {description}
        </Text>
      )}
      <div className="field-error-slot">
        <FieldError className="field-error" />
      </div>
    </TextField>
  );
}
