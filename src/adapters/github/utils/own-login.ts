import type { Probot } from 'probot';

/**
 * The app's own bot login (`<slug>[bot]`), asked of GitHub (`GET /app`) the first time it is
 * needed and then kept; a failed ask is asked again next time.
 */
export function ownLogin(app: Probot): () => Promise<string> {
  let login: Promise<string> | null = null;
  return () => {
    if (!login) {
      login = (async () => {
        const octokit = await app.auth();
        const { data } = await octokit.rest.apps.getAuthenticated();
        if (!data?.slug) throw new Error('GitHub did not say which app this is (GET /app answered no slug)');
        return `${data.slug}[bot]`;
      })();
      login.catch(() => (login = null));
    }
    return login;
  };
}
