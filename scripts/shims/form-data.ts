/**
 * Stands in for `form-data` inside function bundles. The Tencent SDK builds a multipart body only
 * for `multipart: true` calls (file uploads), which this bundle never makes; the real package
 * brings mime-db (133 KiB) with it. A multipart call fails loudly instead of sending something else.
 */
export default class FormData {
  constructor() {
    throw new Error("multipart requests are not supported in this bundle (form-data is not bundled; see scripts/build.ts)");
  }
}
