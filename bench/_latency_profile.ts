/**
 * The latency profile of the pipeline and living-pod benchmarks, in ms per
 * call: the profile of the issue that asked for the pipeline.
 *
 * @module
 */
export const PROFILE = {
  HcnOpenNamespace: 1,
  HcnOpenEndpoint: 1,
  HcnQueryNamespaceProperties: 2,
  HcnQueryEndpointProperties: 2,
  HcsOpenComputeSystem: 2,
  HcsGetComputeSystemProperties: 2,
  "vm.add-nic": 30,
  "guest.nic-add": 15,
  "guest.nic-remove": 10,
  "vm.remove-nic": 25,
  "guest.nic-preadd": 10,
  "guest.namespace-add": 10,
  "guest.namespace-remove": 5,
} as const;
