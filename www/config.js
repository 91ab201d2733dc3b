// Deployment settings of the upload dialog. In the manager UI these come from the console's
// client config (the manager's version from GET /version, the proxy limit from
// proxy.maxBodySize); the demo page reads them from here.
export default {
  /** Base URL of the manager REST API; '' means the page's own origin (the dev server). */
  managerUrl: '',
  /** The manager version restore is predicted for (editable in the dialog). */
  targetVersion: '7.0.4',
  /** 'premium' or 'community'. */
  edition: 'premium',
  /** Where the manager runs: 'single-host' or 'kubernetes' (7.0.1+ on Kubernetes refuses legacy snapshots). */
  runtime: 'single-host',
  /** The console proxy's body limit (stage `proxy.maxBodySize`, 2 GB by default). */
  proxyMaxBodySize: 2e9,
};
