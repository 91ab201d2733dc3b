// Stand-in for the toolbox methods the drop-in uses (see Stage's app/utils/StageAPI.ts,
// Manager.ts and External.ts). The manager API lives under /sp on the harness server, as it does
// behind Stage's proxy.

export interface ManagerStandIn {
  getManagerUrl(url: string, params?: Record<string, string>): string;
  getSelectedTenant(): string | null;
  isCommunityEdition(): boolean;
  doPut(url: string, options: { params?: Record<string, string>; body?: unknown }): Promise<any>;
  doGet(url: string, options?: { params?: Record<string, string> }): Promise<any>;
}

export interface Toolbox {
  getManager(): ManagerStandIn;
  getManagerState(): any;
  refresh(params?: any): void;
}

function withQuery(url: string, params?: Record<string, string>) {
  const qs = params ? new URLSearchParams(params).toString() : '';
  return qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
}

export function makeToolbox(onRefresh: () => void): Toolbox {
  const call = async (method: string, url: string, params?: Record<string, string>, body?: unknown) => {
    const response = await fetch(manager.getManagerUrl(url, params), {
      method,
      headers: { 'content-type': 'application/json', tenant: 'default_tenant' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw { message: json.message ?? response.statusText, status: response.status };
    return json;
  };
  const manager: ManagerStandIn = {
    getManagerUrl: (url, params) => withQuery(`/sp${url}`, params),
    getSelectedTenant: () => 'default_tenant',
    isCommunityEdition: () => false,
    doPut: (url, { params, body }) => call('PUT', url, params, body),
    doGet: (url, options) => call('GET', url, options?.params),
  };
  return {
    getManager: () => manager,
    getManagerState: () => ({ version: { version: '7.0.4', edition: 'premium' } }),
    refresh: onRefresh,
  };
}
