/**
 * Proves DiscordApiDouble against the REAL discord.js Client: login over the gateway, interactions
 * dispatched like Discord does, and the REST calls discord.js makes to answer them.
 */
import { once } from 'node:events';
import {
  ButtonStyle,
  Client,
  ComponentType,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  type Interaction,
  type Message,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordApiDouble, type RecordedRequest } from './discord-api-double.js';

const TOKEN = 'fake-token-for-tests';

let double: DiscordApiDouble;
let client: Client;
/** What the bot under test does with each interaction; set per test. */
let handler: (interaction: Interaction) => Promise<void>;
/** Errors thrown by `handler`, so a failing reply shows up in the test instead of vanishing. */
let handlerErrors: unknown[];

async function startClient(options: { noIdentifyThrottle?: boolean } = {}): Promise<void> {
  client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: double.apiUrl },
    // @discordjs/ws spaces IDENTIFYs by 5 s; tests that force a re-identify skip that.
    ...(options.noIdentifyThrottle ? { ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } } : {}),
  });
  client.on(Events.InteractionCreate, (interaction) => {
    handler(interaction).catch((error: unknown) => handlerErrors.push(error));
  });
  const ready = once(client, Events.ClientReady);
  await client.login(TOKEN);
  await ready;
}

const statuses = (requests: RecordedRequest[]): Array<number | undefined> => requests.map((r) => r.response?.status);

beforeEach(async () => {
  double = new DiscordApiDouble({ heartbeatIntervalMs: 1_000 });
  await double.start();
  handlerErrors = [];
  handler = async () => {};
});

afterEach(async () => {
  await client?.destroy();
  await double.stop();
});

describe('DiscordApiDouble with the real discord.js client', () => {
  it('lets the client log in: gateway discovery, IDENTIFY, READY and GUILD_CREATE', async () => {
    await startClient();
    await double.waitForReady();

    const gatewayBot = double.requests.find((r) => r.path === '/gateway/bot');
    expect(gatewayBot?.method).toBe('GET');
    expect(gatewayBot?.headers.authorization).toBe(`Bot ${TOKEN}`);
    expect(double.identifies).toHaveLength(1);
    expect(double.identifies[0]).toMatchObject({ token: TOKEN, intents: GatewayIntentBits.Guilds, shard: [0, 1] });

    expect(client.user?.id).toBe(double.applicationId);
    expect(client.user?.bot).toBe(true);
    expect(client.application?.id).toBe(double.applicationId);
    const guild = client.guilds.cache.get(double.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(double.channelId)?.isTextBased()).toBe(true);
    expect(double.unknownRoutes).toEqual([]);
  });

  it('records deferReply (callback type 5) and editReply (PATCH @original with allowed_mentions)', async () => {
    let edited: Message | undefined;
    handler = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      expect(interaction.commandName).toBe('ask');
      expect(interaction.options.getString('question')).toBe('What happened?');
      expect(interaction.user.username).toBe('alice');
      expect(interaction.channelId).toBe(double.channelId);
      await interaction.deferReply();
      edited = await interaction.editReply({ content: 'hi', allowedMentions: { parse: [] } });
    };
    await startClient();

    const { id, token } = await double.chatInput('ask', [{ name: 'question', type: 3, value: 'What happened?' }], {
      id: '1300000000000000042',
      username: 'alice',
    });
    const replies = await double.waitForReplies(token, (r) => r.edits.length > 0);
    await expect.poll(() => edited).toBeDefined();

    expect(handlerErrors).toEqual([]);
    expect(replies.callbacks).toHaveLength(1);
    const callback = replies.callbacks[0]!;
    expect(callback.path).toBe(`/interactions/${id}/${token}/callback`);
    expect(callback.query.get('with_response')).toBe('false');
    expect(callback.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(callback.response?.status).toBe(204);

    const edit = replies.edits[0]!;
    expect(edit.method).toBe('PATCH');
    expect(edit.path).toBe(`/webhooks/${double.applicationId}/${token}/messages/@original`);
    expect(edit.body).toMatchObject({ content: 'hi', allowed_mentions: { parse: [] } });
    expect(edit.response?.status).toBe(200);
    expect(edited?.content).toBe('hi');
    expect(edited?.author.id).toBe(double.applicationId);
    expect(double.originalMessage(token)?.content).toBe('hi');
  });

  it('records autocomplete responses (callback type 8 with choices)', async () => {
    handler = async (interaction) => {
      if (!interaction.isAutocomplete()) return;
      const focused = interaction.options.getFocused(true);
      await interaction.respond([
        { name: `${focused.value}ple`, value: 'apple' },
        { name: 'Apricot', value: 'apricot' },
      ]);
    };
    await startClient();

    const { token } = await double.autocomplete('ask', [{ name: 'topic', type: 3, value: 'ap' }]);
    const replies = await double.waitForReplies(token, (r) => r.callbacks.length > 0);

    expect(handlerErrors).toEqual([]);
    expect(replies.callbacks[0]?.body).toEqual({
      type: 8,
      data: {
        choices: [
          { name: 'apple', value: 'apple' },
          { name: 'Apricot', value: 'apricot' },
        ],
      },
    });
    expect(replies.callbacks[0]?.response?.status).toBe(204);
  });

  it('records an ephemeral reply to a button pressed on a message the bot sent', async () => {
    handler = async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({
          content: 'Here is a quote.',
          components: [
            {
              type: ComponentType.ActionRow,
              components: [{ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'More', customId: 'more:1' }],
            },
          ],
        });
      } else if (interaction.isButton()) {
        expect(interaction.message.content).toBe('Here is a quote.');
        await interaction.reply({ content: `pressed ${interaction.customId}`, flags: MessageFlags.Ephemeral });
      }
    };
    await startClient();

    const command = await double.chatInput('ask');
    await double.waitForReplies(command.token, (r) => r.callbacks.length > 0);
    const sent = double.originalMessage(command.token);
    expect(sent.components[0].components[0].custom_id).toBe('more:1');

    const { token } = await double.button('more:1', sent);
    const replies = await double.waitForReplies(token, (r) => r.callbacks.length > 0);

    expect(handlerErrors).toEqual([]);
    expect(replies.callbacks[0]?.body).toMatchObject({
      type: 4,
      data: { content: 'pressed more:1', flags: MessageFlags.Ephemeral },
    });
    expect(double.originalMessage(token)?.flags).toBe(64);
  });

  it('records follow-ups and edits of follow-ups', async () => {
    let followUp: Message | undefined;
    handler = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.reply('first');
      followUp = await interaction.followUp({ content: 'second', flags: MessageFlags.Ephemeral });
      await interaction.editReply({ message: followUp, content: 'second, edited' });
    };
    await startClient();

    const { token } = await double.chatInput('ask');
    const replies = await double.waitForReplies(token, (r) => r.edits.length > 0);

    expect(handlerErrors).toEqual([]);
    expect(replies.followUps).toHaveLength(1);
    expect(replies.followUps[0]?.path).toBe(`/webhooks/${double.applicationId}/${token}`);
    expect(replies.followUps[0]?.body).toMatchObject({ content: 'second', flags: 64 });
    expect(followUp?.content).toBe('second');
    expect(followUp?.flags.has(MessageFlags.Ephemeral)).toBe(true);
    expect(replies.edits[0]?.path).toBe(`/webhooks/${double.applicationId}/${token}/messages/${followUp?.id}`);
    expect(replies.edits[0]?.body).toMatchObject({ content: 'second, edited' });
  });

  it('returns an InteractionCallbackResponse for with_response=true and parses multipart uploads', async () => {
    let responseContent: string | undefined;
    let uploaded: Message | undefined;
    handler = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const response = await interaction.reply({ content: 'with response', withResponse: true });
      responseContent = response.resource?.message?.content;
      uploaded = await interaction.followUp({
        content: 'sources attached',
        files: [{ attachment: Buffer.from('line 1\nline 2\n'), name: 'sources.txt' }],
      });
    };
    await startClient();

    const { token } = await double.chatInput('ask');
    const replies = await double.waitForReplies(token, (r) => r.followUps.length > 0);
    await expect.poll(() => uploaded).toBeDefined();

    expect(handlerErrors).toEqual([]);
    expect(replies.callbacks[0]?.query.get('with_response')).toBe('true');
    expect(replies.callbacks[0]?.response?.status).toBe(200);
    expect(responseContent).toBe('with response');

    const followUp = replies.followUps[0]!;
    expect(followUp.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(followUp.body).toMatchObject({ content: 'sources attached', attachments: [{ id: '0' }] });
    expect(followUp.files?.map((f) => [f.field, f.name, f.data.toString()])).toEqual([
      ['files[0]', 'sources.txt', 'line 1\nline 2\n'],
    ]);
    expect(uploaded?.attachments.first()?.name).toBe('sources.txt');
    expect(uploaded?.attachments.first()?.size).toBe(14);
  });

  it('records guild command registration and uses the registered ids for interactions', async () => {
    let seen: { commandId: string; commandGuildId: string | null } | undefined;
    handler = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen = { commandId: interaction.commandId, commandGuildId: interaction.commandGuildId };
      await interaction.reply('ok');
    };
    await startClient();

    const body = [
      {
        name: 'ask',
        description: 'Ask about the news',
        options: [{ name: 'question', description: 'Your question', type: 3, required: true }],
      },
    ];
    const result = (await client.rest.put(Routes.applicationGuildCommands(client.application!.id, double.guildId), {
      body,
    })) as Array<{ id: string; name: string }>;

    const registered = double.registeredCommands(double.guildId);
    expect(registered).toHaveLength(1);
    expect(registered?.[0]).toMatchObject({ ...body[0], guild_id: double.guildId, application_id: double.applicationId });
    expect(result[0]?.id).toBe(registered?.[0].id);
    expect(double.registeredCommands()).toBeUndefined();

    const { token } = await double.chatInput('ask', [{ name: 'question', type: 3, value: 'x' }]);
    await double.waitForReplies(token, (r) => r.callbacks.length > 0);
    expect(seen).toEqual({ commandId: result[0]?.id, commandGuildId: double.guildId });
  });

  it('answers a 429 on the edit with rate-limit headers; discord.js waits, retries and succeeds', async () => {
    let edited: Message | undefined;
    handler = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      edited = await interaction.editReply('after the rate limit');
    };
    await startClient();
    double.failNext('edit', { status: 429, retryAfterSeconds: 0.3 });

    const started = Date.now();
    const { token } = await double.chatInput('ask');
    const replies = await double.waitForReplies(token, (r) => r.edits.some((e) => e.response?.status === 200));

    expect(handlerErrors).toEqual([]);
    expect(statuses(replies.edits)).toEqual([429, 200]);
    expect(replies.edits[0]?.response?.body).toMatchObject({ retry_after: 0.3, global: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await expect.poll(() => edited?.content).toBe('after the rate limit');
  });

  it('answers 10062 Unknown interaction when told to, and discord.js surfaces a DiscordAPIError', async () => {
    handler = async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.deferReply();
    };
    await startClient();
    double.failNext('callback', { status: 404 });

    const { token } = await double.chatInput('ask');
    await double.waitForReplies(token, (r) => r.callbacks.length > 0);
    await expect.poll(() => handlerErrors.length).toBe(1);
    expect(handlerErrors[0]).toBeInstanceOf(DiscordAPIError);
    expect((handlerErrors[0] as DiscordAPIError).code).toBe(10062);
  });

  it('survives a server-side gateway close: the client RESUMEs and gets missed and new interactions', async () => {
    const answered: string[] = [];
    handler = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      answered.push(interaction.commandName);
      await interaction.reply('still here');
    };
    await startClient();
    const reconnecting = once(client, Events.ShardReconnecting);
    const resumed = once(client, Events.ShardResume);

    double.closeGateway(); // 4000: resumable
    // Sent while the socket is down: replayed on RESUME, like Discord does.
    const missed = await double.chatInput('during-outage');
    await reconnecting;
    await double.waitForReady();
    await resumed;
    expect(double.resumes).toHaveLength(1);
    expect(double.resumes[0]).toMatchObject({ token: TOKEN, session_id: expect.any(String), seq: expect.any(Number) });
    expect(double.identifies).toHaveLength(1);

    const after = await double.chatInput('after-outage');
    await double.waitForReplies(missed.token, (r) => r.callbacks.length > 0);
    await double.waitForReplies(after.token, (r) => r.callbacks.length > 0);
    expect(handlerErrors).toEqual([]);
    expect(answered).toEqual(['during-outage', 'after-outage']);
  });

  it('survives a non-resumable close: the client IDENTIFYs again and still gets interactions', async () => {
    handler = async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('back');
    };
    await startClient({ noIdentifyThrottle: true });

    double.closeGateway(1000);
    await expect.poll(() => double.identifies.length, { timeout: 4_000 }).toBe(2);
    await double.waitForReady();

    const { token } = await double.chatInput('ask');
    const replies = await double.waitForReplies(token, (r) => r.callbacks.length > 0);
    expect(handlerErrors).toEqual([]);
    expect(replies.callbacks[0]?.body).toMatchObject({ type: 4, data: { content: 'back' } });
  });
});
