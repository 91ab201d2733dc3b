// Stand-ins for Stage.Basic, on the real semantic-ui-react 2.1 (Stage re-exports these from
// semantic-ui-react and cloudify-ui-components: app/components/basic/index.ts). Only what the
// drop-in and the panel use, with the props Stage's versions take.
import React, { useRef } from 'react';
import type { ReactNode } from 'react';
import {
  Button,
  Checkbox,
  Form as SuirForm,
  Header,
  Icon,
  Input,
  Label,
  List,
  Message,
  Modal as SuirModal,
  Progress,
  Segment,
  Table,
} from 'semantic-ui-react';
import type { ButtonProps, ModalProps } from 'semantic-ui-react';

export { Button, Checkbox, Header, Icon, Input, Label, List, Message, Progress, Segment, Table };

/** Stage sets closeOnDimmerClick: false on its Modal. */
function ModalBase(props: ModalProps) {
  return <SuirModal closeOnDimmerClick={false} {...props} />;
}
export const Modal = Object.assign(ModalBase, {
  Header: SuirModal.Header,
  Content: SuirModal.Content,
  Actions: SuirModal.Actions,
});

export const ApproveButton = (props: ButtonProps) => <Button positive icon="checkmark" content="Save" {...props} />;
export const CancelButton = (props: ButtonProps) => <Button basic icon="remove" content="Cancel" {...props} />;

interface FormProps {
  loading?: boolean;
  errors?: Record<string, any> | string | null;
  onErrorsDismiss?: () => void;
  children?: ReactNode;
}

function FormBase({ loading, errors, onErrorsDismiss, children }: FormProps) {
  const list = typeof errors === 'string' ? [errors] : Object.values(errors ?? {}).filter(Boolean).map(String);
  return (
    <SuirForm loading={loading} error={list.length > 0} onSubmit={(e) => e.preventDefault()}>
      {list.length > 0 && (
        <Message error className="form-errors" onDismiss={onErrorsDismiss} header="Errors in the form" list={list} />
      )}
      {children}
    </SuirForm>
  );
}

interface FieldProps {
  label?: ReactNode;
  required?: boolean;
  error?: ReactNode;
  children?: ReactNode;
}

function Field({ label, required, error, children }: FieldProps) {
  return (
    <SuirForm.Field required={required} error={!!error}>
      {label ? <label>{label}</label> : null}
      {children}
      {error && typeof error !== 'boolean' ? (
        <Label pointing prompt className="field-error">
          {error}
        </Label>
      ) : null}
    </SuirForm.Field>
  );
}

interface UrlOrFileProps {
  name: string;
  value?: string;
  placeholder?: string;
  label?: ReactNode;
  onChangeUrl: (url: string) => void;
  onChangeFile: (file?: File) => void;
  onBlurUrl?: () => void;
  onFocusUrl?: () => void;
  onResetFile?: () => void;
}

/** A URL input with a Browse button (a hidden file input), like Stage's Form.UrlOrFile. */
function UrlOrFile({ name, value, placeholder, label, onChangeUrl, onChangeFile, onBlurUrl, onFocusUrl }: UrlOrFileProps) {
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <Input action labelPosition={label ? 'left' : undefined} fluid>
      {label}
      <input
        name={`${name}Url`}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) => onChangeUrl(e.target.value)}
        onBlur={onBlurUrl}
        onFocus={onFocusUrl}
      />
      <Button type="button" icon="folder open" content="Browse" onClick={() => fileRef.current?.click()} />
      <input
        ref={fileRef}
        type="file"
        name={`${name}File`}
        hidden
        onChange={(e) => {
          onChangeFile(e.target.files?.[0] ?? undefined);
          e.target.value = '';
        }}
      />
    </Input>
  );
}

export const Form = Object.assign(FormBase, {
  Field,
  Input: SuirForm.Input,
  Checkbox: SuirForm.Checkbox,
  UrlOrFile,
});
