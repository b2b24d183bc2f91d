import assert from "node:assert/strict";
import { hresultError, parseErrorRecord } from "../adapters/dll/error_record.ts";
import { HResultError } from "../domain/errors.ts";

Deno.test("parseErrorRecord: HCS ResultError with events", () => {
  const r = parseErrorRecord(
    '{"Error":-1070137074,"ErrorMessage":"The system cannot find it","ErrorEvents":[' +
      '{"Message":"m","Provider":"p","EventId":7,"Source":"s"}]}',
  );
  assert.equal(r.message, "The system cannot find it");
  assert.equal(r.hresult, 0xc037010e);
  assert.deepEqual(r.events, [{ message: "m", provider: "p", eventId: 7, source: "s" }]);
});

Deno.test("parseErrorRecord: HNS record and plain text", () => {
  const hns = parseErrorRecord(
    '{"Error":"Element not found.","ErrorCode":2147943568,"Success":false}',
  );
  assert.equal(hns.message, "Element not found.");
  assert.equal(hns.hresult, 0x80070490);
  assert.deepEqual(parseErrorRecord("  boom \n"), {
    raw: "  boom \n",
    message: "boom",
    events: [],
  });
  assert.equal(parseErrorRecord("[1,2]").message, "[1,2]");
});

Deno.test("hresultError: a failing code keeps its code; the record rides along", () => {
  const e = hresultError("HcnOpenNamespace", -2147023728, '{"Error":"nope","ErrorCode":1}');
  assert.ok(e instanceof HResultError);
  assert.equal(e.hresult, 0x80070490);
  assert.equal(e.call, "HcnOpenNamespace");
  assert.equal(e.record?.message, "nope");
  assert.match(e.message, /^Cannot complete HcnOpenNamespace: HRESULT 0x80070490: nope$/);
});

Deno.test("hresultError: a success code with a record is a failure, never code 0", () => {
  assert.equal(hresultError("X", 0, '{"Error":-2147024809}').hresult, 0x80070057);
  assert.equal(
    hresultError("X", 1, '{"Error":"odd","ErrorCode":0,"Success":false}').hresult,
    0x80004005,
  );
  assert.equal(hresultError("X", 0, '{"ErrorCode":5}').hresult, 0x80004005);
  assert.equal(hresultError("X", 0, "free text").hresult, 0x80004005);
});
