/**
 * A yes/no question on the terminal for commands that run without a host (unlock). Answers on
 * stderr; Enter takes the default. Off a terminal nobody is asked: the caller refuses instead.
 */
import { createInterface } from 'node:readline/promises';

export async function askYesNo(question: string, defaultAnswer = false): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} ${defaultAnswer ? '[Y/n]' : '[y/N]'} `)).trim().toLowerCase();
    if (answer === '') return defaultAnswer;
    return answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
