import { describe, expect, it } from "vitest";
import { unlessSet } from "./local-secrets";

describe("unlessSet", () => {
  const generated = {
    BETTER_AUTH_SECRET: "generated-auth",
    QSTASH_CURRENT_SIGNING_KEY: "sig_generated_current",
    QSTASH_NEXT_SIGNING_KEY: "sig_generated_next",
  };

  it("keeps only the generated secrets the user did not set, so what the user sets always wins", () => {
    expect(
      unlessSet(generated, {
        QSTASH_CURRENT_SIGNING_KEY: "sig_mine",
        QSTASH_NEXT_SIGNING_KEY: "sig_mine_next",
      }),
    ).toEqual({ BETTER_AUTH_SECRET: "generated-auth" });
    expect(unlessSet(generated, { BETTER_AUTH_SECRET: "mine" })).toEqual({
      QSTASH_CURRENT_SIGNING_KEY: "sig_generated_current",
      QSTASH_NEXT_SIGNING_KEY: "sig_generated_next",
    });
  });

  it("treats an empty variable as unset", () => {
    expect(unlessSet(generated, { BETTER_AUTH_SECRET: "" })).toEqual(generated);
  });
});
