// Hooks of the upload modal that talk to the manager or the checker.
import { useEffect, useState } from 'react';
import type { CodeInfo } from 'snapshot-verify-browser/react';
import { getChecker } from './snapshotChecker';

/** How long a field must be still before it is looked up (URL check, existing name). */
export const SETTLE_MS = 600;

/** `value` once it has been still for SETTLE_MS while `enabled`; null otherwise. */
export function useSettled(value: string, enabled: boolean): [string | null, (v: string | null) => void] {
  const [settled, setSettled] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) {
      setSettled(null);
      return undefined;
    }
    const timer = setTimeout(() => setSettled(value), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [value, enabled]);
  return [settled === value ? settled : null, setSettled];
}

/** The finding catalogue (plain-language explanations), loaded once the modal opens. */
export function useCatalogue(isOpen: boolean): CodeInfo[] | null {
  const [codes, setCodes] = useState<CodeInfo[] | null>(null);
  useEffect(() => {
    if (!isOpen || codes) return undefined;
    let current = true;
    getChecker()
      .then((checker) => checker.codes())
      .then((list) => current && setCodes(list))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [isOpen, codes]);
  return codes;
}

/**
 * Whether a snapshot named `id` exists (GET /snapshots/<id>). Uploading over it replaces its
 * archive while the manager keeps the old record (upload_manager catches and logs the conflict).
 */
export function useSnapshotExists(toolbox: Stage.Types.Toolbox, id: string | null): boolean {
  const [existing, setExisting] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return undefined;
    let current = true;
    toolbox
      .getManager()
      .doGet(`/snapshots/${encodeURIComponent(id)}`)
      .then(
        () => current && setExisting(id),
        () => current && setExisting(null),
      );
    return () => {
      current = false;
    };
  }, [toolbox, id]);
  return !!id && existing === id;
}
