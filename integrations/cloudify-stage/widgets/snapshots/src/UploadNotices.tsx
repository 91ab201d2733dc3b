// The modal's notices: a file over the body limit, and a URL that could not be checked.
import React from 'react';
import type { SnapshotCheck } from 'snapshot-verify-browser/react';
import { messages } from './uploadMessages';

export function TooBigNotice({ size, limit, onUseUrl }: { size: number; limit: number; onUseUrl: () => void }) {
  const { Button, Message } = Stage.Basic;
  return (
    <Message warning className="upload-too-big">
      <Message.Header>{messages.tooBigHeader}</Message.Header>
      <p>{messages.tooBig(size, limit)}</p>
      <Button type="button" basic icon="linkify" content={messages.useUrl} onClick={onUseUrl} className="upload-use-url" />
    </Message>
  );
}

function blockedText(check: SnapshotCheck): string {
  if (check.status === 'cancelled') return messages.urlCancelled;
  const code = check.error?.code;
  if (code === 'cors') return messages.urlCors;
  if (code === 'no-range') return messages.urlNoRange;
  return messages.urlFailed(String(check.error?.message ?? ''));
}

/** Why a URL was not checked, with the choice to go on without the check. */
export function UrlNotCheckedNotice({
  check,
  goUnchecked,
  onGoUnchecked,
}: {
  check: SnapshotCheck;
  goUnchecked: boolean;
  onGoUnchecked: (value: boolean) => void;
}) {
  const { Checkbox, Message } = Stage.Basic;
  return (
    <Message warning size="small" className="upload-url-blocked" data-code={check.error?.code ?? check.status}>
      <p>{blockedText(check)}</p>
      <Checkbox
        className="upload-go-unchecked"
        label={messages.goUnchecked}
        checked={goUnchecked}
        onChange={(_e, data) => onGoUnchecked(!!data.checked)}
      />
    </Message>
  );
}
