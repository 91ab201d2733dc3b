// Stand-ins for the Stage.Hooks the drop-in uses, with the behaviour of Stage's own
// (app/utils/hooks/useBoolean.ts, useErrors.ts, useInput.ts, useOpen.ts): written for the harness.
import { useCallback, useEffect, useState } from 'react';

export function useBoolean(initial = false) {
  const [value, setValue] = useState(initial);
  return [value, () => setValue(true), () => setValue(false)] as const;
}

export function useErrors() {
  const [errors, setErrors] = useState({} as Record<string, any>);
  return {
    errors,
    setMessageAsError: (err: { message: string }) => setErrors({ errors: err.message }),
    clearErrors: () => setErrors({}),
    setErrors,
  };
}

export function useResettableState<T>(initial: T) {
  const [value, setValue] = useState<T>(initial);
  const reset = useCallback(() => setValue(initial), [initial]);
  return [value, setValue, reset] as const;
}

/** The setter takes a value, or a semantic-ui-react (event, {value | checked}) pair. */
export function useInput<T>(initial: T) {
  const [input, setInput, clearInput] = useResettableState<T>(initial);
  return [
    input,
    (value: any, field?: { value?: string | number | boolean; checked?: boolean }) =>
      setInput(field ? (field.value ?? field.checked) : value),
    clearInput,
  ] as const;
}

/** Open state; `onOpen` runs each time it opens. */
export function useOpen(onOpen: () => void) {
  const [open, doOpen, doClose] = useBoolean();
  useEffect(() => {
    if (open) onOpen();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  return [open, doOpen, doClose] as const;
}
