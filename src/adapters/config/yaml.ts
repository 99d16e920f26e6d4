/**
 * yaml's Node build is CommonJS, whose named exports a bundler's dynamic import() does not
 * see; importing them statically here and this module dynamically keeps yaml loaded only
 * for a project that has a flow-migrate.yml, bundled or not.
 */
export { isMap, parseDocument } from 'yaml';
