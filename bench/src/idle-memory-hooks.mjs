/**
 * Module hooks for the idle-memory probe (runs in Node's loader thread): posts every resolved
 * ESM URL to the main thread, which counts them per package. CommonJS files are counted from
 * require.cache instead, so only ESM needs a hook.
 */
let reportPort;

export function initialize(data) {
  reportPort = data.port;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  reportPort.postMessage(resolved.url);
  return resolved;
}
