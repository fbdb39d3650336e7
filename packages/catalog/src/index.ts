// @oscompose/catalog: the starter catalog (recipes built from Debian packages), our init, and the
// default compositions the foundation seeds the database with.
export { buildStarterCatalog, defaultCatalogPaths, referenceFor, type CatalogImage, type BuildCatalogOptions } from './build';
export { loadDefaultCompositions, loadRemoteCatalog, type DefaultComposition, type RemoteCatalogEntry } from './compositions';
export { loadRecipes, parseRecipe, RECIPES_DIR } from './recipe/load';
export { RecipeSchema, type Recipe } from './recipe/schema';
export { DebianArchive, BOOKWORM_SUITES, verifyDeb } from './debian/archive';
export { DebianError, RecipeError } from './errors';
