/**
 * The controller steps a simulated fault can be armed on, by name.
 *
 * @module
 */

/**
 * The steps `deno task demo --fail` and `podnet sim fault` can name, and the
 * simulated host operation each one arms a fault on.
 */
export const FAILABLE_STEPS: Readonly<Record<string, string>> = {
  "read-namespace": "HcnQueryNamespaceProperties",
  "read-endpoint": "HcnQueryEndpointProperties",
  "guest-namespace-add": "guest.namespace-add",
  "guest-prepare": "guest.nic-preadd",
  "vm-add": "vm.add-nic",
  "guest-attach": "guest.nic-add",
  "guest-detach": "guest.nic-remove",
  "vm-remove": "vm.remove-nic",
  "guest-namespace-remove": "guest.namespace-remove",
};
