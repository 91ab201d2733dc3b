// The harness page: installs the Stage globals (stand-ins on the real semantic-ui-react), then
// renders the drop-in upload modal as the snapshots widget would. Query parameters:
//   ?maxBodySize=<bytes>  the proxy body limit handed to the modal (small in the tests)
import React from 'react';
import * as ReactDOM from 'react-dom';
import * as Basic from './stage/basic';
import * as Hooks from './stage/hooks';
import Utils from './stage/utils';
import { makeToolbox } from './stage/toolbox';

const w = window as any;
w.React = React;
w.Stage = { Basic, Hooks, Utils };
w.harness = { refreshes: 0 };

// The widget code reads the Stage global when its module is evaluated, as in Stage.
import('../../../integrations/cloudify-stage/widgets/snapshots/src/UploadSnapshotModal').then(({ default: UploadModal }) => {
  const params = new URLSearchParams(window.location.search);
  const limit = params.get('maxBodySize');
  const toolbox = makeToolbox(() => {
    w.harness.refreshes += 1;
  });
  ReactDOM.render(
    <div className="snapshots-widget" style={{ padding: '1em' }}>
      <UploadModal toolbox={toolbox} maxBodySize={limit ? Number(limit) : undefined} />
    </div>,
    document.getElementById('root'),
  );
  w.harness.ready = true;
});
