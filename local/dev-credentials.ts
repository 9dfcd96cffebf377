// Development credentials of the local stack. They open the local Tencent stand-in and
// nothing else: no Tencent Cloud account knows them, so leaking them costs nothing, and a
// deployment that still uses them fails with AuthFailure.SecretIdNotFound instead of
// silently reaching a real account.

/** SecretId the local stand-in accepts by default. */
export const DEV_SECRET_ID = "AKIDLOCALSTANDIN0000000000000000000000";

/** SecretKey paired with DEV_SECRET_ID; only the local stand-in knows it. */
export const DEV_SECRET_KEY = "localStandInSecretKeyNotForProduction";

/** Both halves together, in the shape Tencent SDK clients take as `credential`. */
export const DEV_CREDENTIAL = { secretId: DEV_SECRET_ID, secretKey: DEV_SECRET_KEY } as const;
