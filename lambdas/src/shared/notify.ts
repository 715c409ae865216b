/** Notifications to the alerts topic (phase 1's SNS topic, KMS-encrypted). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface Notifier {
  publish(subject: string, body: Record<string, unknown>): Promise<string>;
}

/** SNS subjects are at most 100 ASCII characters without line breaks. */
export function snsSubject(s: string): string {
  return s.replace(/[^\x20-\x7E]/g, ' ').slice(0, 100);
}

export function snsNotifier(client: SNSClient, topicArn: string): Notifier {
  return {
    async publish(subject, body) {
      const out = await client.send(new PublishCommand({ TopicArn: topicArn, Subject: snsSubject(subject), Message: JSON.stringify(body, null, 2) }));
      return out.MessageId ?? '';
    },
  };
}
