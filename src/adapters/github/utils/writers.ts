import type { ProbotOctokit } from 'probot';
import { hasWriteAccess } from './permission.js';

export type WriterCheck = (username: string) => Promise<boolean>;

/** `hasWriteAccess` asked once per user for the life of one event. */
export function writerCheck(octokit: ProbotOctokit, repository: { owner: string; repo: string }): WriterCheck {
  const answers = new Map<string, Promise<boolean>>();
  return (username) => {
    let answer = answers.get(username);
    if (!answer) {
      answer = hasWriteAccess(octokit, repository, username);
      answers.set(username, answer);
    }
    return answer;
  };
}
