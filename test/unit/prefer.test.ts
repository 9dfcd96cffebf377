import { describe, expect, it } from "vitest";
import { RequestRefused } from "../../shared/errors";
import { MAX_WAIT_SECONDS, preferredWaitSeconds } from "../../shared/http/prefer";

describe("Prefer: wait (RFC 7240)", () => {
  it("reads wait=N among other preferences, in any case, quoted or not", () => {
    expect(preferredWaitSeconds("wait=10")).toBe(10);
    expect(preferredWaitSeconds("respond-async, Wait=5")).toBe(5);
    expect(preferredWaitSeconds('wait="7"')).toBe(7);
    expect(preferredWaitSeconds("return=minimal")).toBeUndefined();
    expect(preferredWaitSeconds(undefined)).toBeUndefined();
  });

  it(`refuses a wait over ${MAX_WAIT_SECONDS} seconds, or not a whole number, with a 400 naming Prefer`, () => {
    for (const header of ["wait=26", "wait=-1", "wait=1.5", "wait=soon", "wait="]) {
      expect(() => preferredWaitSeconds(header), header).toThrow(RequestRefused);
      try {
        preferredWaitSeconds(header);
      } catch (error) {
        expect((error as RequestRefused).details.issues?.[0]?.field).toBe("Prefer");
      }
    }
  });
});
