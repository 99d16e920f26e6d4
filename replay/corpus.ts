import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** A repository-relative POSIX path: no leading slash, no `..`. */
const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the repository');

export const projectSchema = z.object({
  name: z.string().regex(/^[\w.-]+$/),
  /** The public GitHub repository, `owner/name`: its mirror is `<mirrors>/<owner>+<name>/repo`. */
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  /** The models package or module, as `generate --models` takes it. */
  models: repoPath,
  /** The folder holding alembic.ini. */
  backend: repoPath,
  /**
   * `script_location` relative to `backend`, when alembic.ini does not name the folder itself:
   * Flask-Migrate passes it on the command line (`.`), a templated ini fills it in at run time.
   */
  scriptLocation: repoPath.optional(),
  /** The versions folder, where a commit adds its one revision. */
  versions: repoPath,
  /** What `git log` walks (`v1.0..main`); default the mirror's HEAD. */
  range: z.string().min(1).default('HEAD'),
  /** The most recent this many commits that change the models and add one revision. */
  limit: z.number().int().min(1).default(30),
  /**
   * Extensions the project's databases have that no model declares (an early revision, or
   * the operator, created them): created before a base built from the models.
   */
  extensions: z.array(z.string().regex(/^[\w-]+$/)).default([]),
  /**
   * The project's own packages that its script.py.mako imports (`import mealie.db.migration_types`):
   * our revision is run without such an import when nothing in it uses the module.
   */
  templateImports: z.array(z.string().regex(/^\w+$/)).default([]),
  /** Why this project is in the corpus: the style it stands for. */
  style: z.string().min(1),
});
export type Project = z.infer<typeof projectSchema>;

export const corpusSchema = z.object({ projects: z.array(projectSchema).min(1) });
export type Corpus = z.infer<typeof corpusSchema>;

/** The corpus file, or one clear sentence naming what is wrong with it. */
export async function loadCorpus(file: string): Promise<Corpus> {
  const parsed = corpusSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${file}: ${issue.path.join('.') || 'the corpus'}: ${issue.message}`);
}
