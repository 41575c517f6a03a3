#!/usr/bin/env node
/**
 * Baseline for the console's first key: the smallest Ink app that waits for a key —
 * React, Ink, raw mode, one frame ("hello, press a key"), exit on the first key.
 */
import { createElement } from 'react';
import { render, Text, useApp, useInput } from 'ink';

function Hello() {
  const { exit } = useApp();
  useInput(() => exit());
  return createElement(Text, null, 'hello, press a key');
}

render(createElement(Hello));
