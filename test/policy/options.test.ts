// Node options that shape policy: Core v30's defaults (policy/policy.h, node/transaction.h)
// and the overlay of -minrelaytxfee, -bytespersigop, -permitbaremultisig … on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, policyOptions, type PolicyOptions } from '../../src/policy/constants.ts';

test('the defaults: v30 values', () => {
  assert.deepEqual(policyOptions(), {
    requireStandard: true, maxDatacarrierBytes: 100_000, permitBareMultisig: true, dustRelayFeeRate: 3000,
    minRelayFeeRate: 100, bytesPerSigop: 20, maxFeeRate: 10_000_000,
  });
  assert.deepEqual(policyOptions({}), DEFAULT_POLICY);
});

test('each option overrides its default alone; undefined keeps the default', () => {
  const other: PolicyOptions = {
    requireStandard: false, maxDatacarrierBytes: null, permitBareMultisig: false, dustRelayFeeRate: 0,
    minRelayFeeRate: 0, bytesPerSigop: 0, maxFeeRate: 0,
  };
  for (const key of Object.keys(other) as (keyof PolicyOptions)[]) {
    assert.deepEqual(policyOptions({ [key]: other[key] }), { ...DEFAULT_POLICY, [key]: other[key] }, key);
    assert.deepEqual(policyOptions({ [key]: undefined }), DEFAULT_POLICY, key);
  }
  assert.deepEqual(policyOptions(other), other);
});
