/**
 * Colour for the ink UI, in one place. Components say what a piece of text *is* (a tone) and this
 * maps tones to colours, or to nothing at all when colour is off (NO_COLOR, or `noColor`), so a
 * plain terminal gets no ANSI styling from us whatever the component does.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';
import type { Tone } from '../selectors.js';

/** Whether colour and text styles (bold, dim) may be used. */
export const ColorContext = createContext<boolean>(true);

const COLORS: Record<Tone, string | undefined> = {
  pending: 'gray',
  active: 'cyan',
  ok: 'green',
  muted: 'gray',
  warn: 'yellow',
  error: 'red',
};

export interface ToneTextProps {
  readonly tone?: Tone;
  readonly bold?: boolean;
  readonly dim?: boolean;
  /** How text longer than its box is cut; rows truncate, hints wrap. */
  readonly wrap?: 'wrap' | 'truncate-end' | 'truncate-middle';
  readonly children?: ReactNode;
}

/** Text in a tone; plain text when colour is off. */
export function ToneText({ tone, bold, dim, wrap = 'truncate-end', children }: ToneTextProps) {
  const color = useContext(ColorContext);
  if (!color) return <Text wrap={wrap}>{children}</Text>;
  return (
    <Text wrap={wrap} color={tone ? COLORS[tone] : undefined} bold={bold} dimColor={dim}>
      {children}
    </Text>
  );
}
