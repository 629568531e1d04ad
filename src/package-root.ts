// The directory holding package.json and examples/: the repository when the sources run, dist/ in the image. This
// module sits one level below it in both layouts (src/ here; dist/lib/, where the build bundles every module, there),
// so files found through it resolve the same way whichever runs. Modules deeper in src/ must not resolve such paths
// from their own import.meta.url: in the bundle they all live in dist/lib/.
export const PACKAGE_ROOT = new URL('../', import.meta.url);
