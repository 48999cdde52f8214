import { Box, Text } from 'ink';
import { Component, type ReactNode } from 'react';
import { theme } from '../theme.js';
import { ViewFrame } from './Notice.js';

interface Props {
  children: ReactNode;
  onQuit: () => void;
}

/**
 * A render error becomes a message and a way back, never a stack trace over the terminal (ink's ErrorBoundary
 * habit). Esc returns to a fresh render of the children.
 */
export class ErrorBoundary extends Component<Props, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <ViewFrame
        onBack={() => this.setState({ error: undefined })}
        onQuit={this.props.onQuit}
        hints="Esc back to the console · q quit"
      >
        <Box flexDirection="column">
          <Text color={theme.status.error}>❌ The console hit an error: {error.message}</Text>
        </Box>
      </ViewFrame>
    );
  }
}
