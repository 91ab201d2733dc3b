// The `react` entry: hook, panel and helpers. `SnapshotCheckPanel` uses semantic-ui-react
// directly; hosts that already expose its components (Stage.Basic) can build their own with
// createSnapshotCheckPanel and leave semantic-ui-react out of their bundle (sideEffects: false).

import { Button, Header, Icon, Label, List, Message, Progress, Table } from 'semantic-ui-react';
import { createSnapshotCheckPanel } from './panel.js';

export { useSnapshotCheck, sharedChecker } from './hook.js';
export { createSnapshotCheckPanel } from './panel.js';
export { canUpload, contentDigest, snapshotIdProblem, suggestSnapshotId, formatBytes, formatSeconds } from './helpers.js';

export const SnapshotCheckPanel = /*#__PURE__*/ createSnapshotCheckPanel({ Button, Header, Icon, Label, List, Message, Progress, Table });
