/**
 * A yes/no question in the ink UI. `y`/`n` answer; Enter takes the default, which is the request's
 * `defaultAnswer` and is shown capitalised (`y/N`). Ctrl-C and `q` are handled by the App (they
 * answer no).
 */
import { Box } from 'ink';
import { ConfirmInput } from '@inkjs/ui';
import { ToneText } from './Theme.js';

export interface ConfirmPromptProps {
  readonly message: string;
  readonly defaultAnswer: boolean;
  readonly onAnswer: (yes: boolean) => void;
}

/** The question and its `y/N` input. */
export function ConfirmPrompt({ message, defaultAnswer, onAnswer }: ConfirmPromptProps) {
  return (
    <Box flexDirection="row" marginTop={1}>
      <ToneText tone="warn" bold wrap="wrap">{`? ${message} `}</ToneText>
      <ConfirmInput
        defaultChoice={defaultAnswer ? 'confirm' : 'cancel'}
        onConfirm={() => onAnswer(true)}
        onCancel={() => onAnswer(false)}
      />
    </Box>
  );
}
