import { deliverCallback, deliverMessage, NotFoundError, rotateCallback, type Actor, type EnginePorts, type JsonObject } from '@wf/engine';
import type { CallbackKeys } from '../waits/callback-token';
import type { MessageDto, MessageInputDto, MessagesService } from './service.types';

export class MessagesServiceImpl implements MessagesService {
  constructor(
    private readonly ports: EnginePorts,
    private readonly keys: CallbackKeys,
    /** PUBLIC_URL, without a trailing slash */
    private readonly publicUrl: string,
  ) {}

  /** The callback URL of a waiting receive execution at its current nonce. */
  callbackUrlOf(tenantId: string, executionId: string, nonce: string): string {
    return `${this.publicUrl}/api/callbacks/${this.keys.sign({ tenantId, executionId, nonce })}`;
  }

  async send(actor: Actor, input: MessageInputDto): Promise<MessageDto> {
    const out = await deliverMessage(this.ports, actor, input);
    return {
      status: out.status,
      duplicate: out.duplicate,
      messageId: out.messageId,
      resumed: out.resumed,
      instanceIds: [...new Set(out.executions.map((e) => e.instanceId).filter((id) => id !== ''))],
      expiresAt: out.expiresAt ? out.expiresAt.toISOString() : null,
    };
  }

  async callback(token: string, data: JsonObject): Promise<{ accepted: true; instanceId: string; executionId: string }> {
    const ref = this.keys.verify(token);
    // a token that is not ours names nothing: as missing as an execution that never was
    if (!ref) throw new NotFoundError('Callback');
    const receiver = await deliverCallback(this.ports, ref, data);
    return { accepted: true, ...receiver };
  }

  async rotateCallback(actor: Actor, instanceId: string, executionId: string): Promise<{ callbackUrl: string }> {
    const { nonce } = await rotateCallback(this.ports, actor, instanceId, executionId);
    return { callbackUrl: this.callbackUrlOf(actor.tenantId, executionId, nonce) };
  }
}
