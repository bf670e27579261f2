using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS.Model;
using ResourceNotFoundException = Amazon.DynamoDBv2.Model.ResourceNotFoundException;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Stores.Aws;

/// <summary>
/// The queue half of <see cref="AwsStore"/>: requests are SQS messages, a lease is the visibility timeout (the receipt
/// handle is the lease token), the attempt is the message's receive count.
/// </summary>
internal sealed partial class AwsStore
{
    private const int BatchSize = 10;
    private const string ReceiveCountAttribute = "ApproximateReceiveCount";
    private long nextSweepTicks;

    /// <inheritdoc />
    public async Task EnqueueAsync(string group, IReadOnlyList<QueuedRequest> requests, CancellationToken cancellationToken)
    {
        if (requests is null)
        {
            throw new ArgumentNullException(nameof(requests));
        }

        // Every request is checked before any is sent: one too large for a message queues none.
        var now = options.Clock();
        var bodies = new List<string>(requests.Count);
        foreach (var request in requests)
        {
            SafeId(request.Id, "request ID");
            request.WorkerGroup = group;
            request.Attempts = 0;
            request.Applied = new List<RemediationUndoRecord>();
            if (request.Enqueued == default)
            {
                request.Enqueued = now;
            }

            var body = RemediationJson.Serialize(request);
            var size = Encoding.UTF8.GetByteCount(body);
            if (size > AwsStoreOptions.MaxMessageBytes)
            {
                throw new RemediationStoreException(
                    StoreError.InvalidInput,
                    "The remediation request for finding '" + FindingName(request) + "' is " + size.ToString("N0", CultureInfo.InvariantCulture) +
                    " bytes, more than the " + AwsStoreOptions.MaxMessageBytes.ToString("N0", CultureInfo.InvariantCulture) +
                    " bytes (256 KiB) of one SQS message; nothing was queued. Remove what the job does not need from the finding (large ObjectChain properties or tags).")
                {
                    Target = FindingName(request),
                };
            }

            bodies.Add(body);
        }

        var url = await QueueUrlAsync(group, deadLetter: false, cancellationToken).ConfigureAwait(false);
        var batch = new List<string>();
        var batchBytes = 0;
        foreach (var body in bodies)
        {
            var size = Encoding.UTF8.GetByteCount(body);
            if (batch.Count == BatchSize || (batch.Count > 0 && batchBytes + size > AwsStoreOptions.MaxMessageBytes))
            {
                await SendBatchAsync(url, batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
                batchBytes = 0;
            }

            batch.Add(body);
            batchBytes += size;
        }

        if (batch.Count > 0)
        {
            await SendBatchAsync(url, batch, cancellationToken).ConfigureAwait(false);
        }

        // After the messages, so that a Queued record always has its message (a process stopped in between leaves
        // requests that Get-RemediationRun shows only once a worker claims them).
        await PutBatchAsync(requests.Select(r => PendingItem(r, RemediationRunStatus.Queued, 0, null, null)).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private const string PendingPrefix = "request#";
    private const string LeaseExpiresAttribute = "leaseExpires";

    /// <summary>
    /// The record that shows a request still in the queue (SQS cannot list its messages): Queued at enqueue and after a
    /// failed attempt, Running with the worker and the lease's end while a worker holds it, deleted when the request
    /// ends. Its TTL outlives the message's 14-day retention.
    /// </summary>
    private static Dictionary<string, AttributeValue> PendingItem(QueuedRequest request, RemediationRunStatus status, int attempts, string? workerId, DateTimeOffset? leaseExpires, DateTimeOffset? started = null)
    {
        var run = new RemediationRun
        {
            Id = request.Id,
            RequestId = request.Id,
            WorkerGroup = request.WorkerGroup,
            WorkerId = workerId,
            Status = status,
            Attempts = attempts,
            Enqueued = request.Enqueued,
            Started = status == RemediationRunStatus.Running ? started : null,
        };
        var item = Item(Key(request.WorkerGroup), PendingPrefix + request.Id, RemediationJson.Serialize(run));
        item[ExpiresAttribute] = Expires(request.Enqueued + TimeSpan.FromDays(15));
        if (leaseExpires is { } expires)
        {
            item[LeaseExpiresAttribute] = N(expires.ToUnixTimeSeconds());
        }

        return item;
    }

    /// <summary>The group's pending requests, oldest first, without those that have a final run; a Running one whose lease expired reads as Queued.</summary>
    private async Task<List<RemediationRun>> ListPendingAsync(string group, HashSet<string> finalRunIds, CancellationToken cancellationToken)
    {
        var now = options.Clock().ToUnixTimeSeconds();
        var pending = new List<RemediationRun>();
        foreach (var item in await QueryAsync(Key(group), PendingPrefix, cancellationToken).ConfigureAwait(false))
        {
            var run = Body<RemediationRun>(item);
            if (finalRunIds.Contains(run.Id))
            {
                continue;
            }

            if (run.Status == RemediationRunStatus.Running && item.TryGetValue(LeaseExpiresAttribute, out var expires)
                && long.TryParse(expires.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds <= now)
            {
                // The worker lost the lease: SQS delivers the request again.
                run.Status = RemediationRunStatus.Queued;
                run.WorkerId = null;
                run.Started = null;
            }

            pending.Add(run);
        }

        return pending.OrderBy(r => r.Enqueued).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    private async Task SendBatchAsync(string url, List<string> bodies, CancellationToken cancellationToken)
    {
        var pending = bodies.Select((body, index) => new SendMessageBatchRequestEntry { Id = index.ToString(CultureInfo.InvariantCulture), MessageBody = body }).ToList();
        for (var round = 0; pending.Count > 0; round++)
        {
            var response = await CallAsync("SQS SendMessageBatch", () => sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = url, Entries = pending }, cancellationToken)).ConfigureAwait(false);
            var failed = response.Failed ?? new List<BatchResultErrorEntry>();
            if (failed.Count == 0)
            {
                return;
            }

            // Entries SQS could not take now (SenderFault false) are sent again; a refused one is an error naming its request.
            var refused = failed.FirstOrDefault(f => f.SenderFault == true);
            if (refused is not null || round >= 4)
            {
                var entry = refused ?? failed[0];
                throw new RemediationStoreException(
                    StoreError.StorageFailed,
                    "SQS did not queue a request in " + Description + ": " + entry.Code + ": " + entry.Message + ". The requests before it in the call were queued.");
            }

            var retry = new HashSet<string>(failed.Select(f => f.Id), StringComparer.Ordinal);
            pending = pending.Where(p => retry.Contains(p.Id)).ToList();
        }
    }

    private static string FindingName(QueuedRequest request)
        => request.Finding.FindingId is { Length: > 0 } id ? id : request.Finding.ResourceId + " (" + request.Finding.RuleId + ", request " + request.Id + ")";

    /// <inheritdoc />
    public async Task<IReadOnlyList<LeasedRequest>> ReceiveAsync(string group, string workerId, int maxCount, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (maxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, "At least one request must be asked for.");
        }

        SafeId(workerId, "worker ID");
        var url = await QueueUrlAsync(group, deadLetter: false, cancellationToken).ConfigureAwait(false);
        var deadline = options.Clock() + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = deadline - options.Clock();
            var leaseStart = options.Clock();
            var response = await CallAsync("SQS ReceiveMessage", () => sqs.ReceiveMessageAsync(
                new ReceiveMessageRequest
                {
                    QueueUrl = url,
                    MaxNumberOfMessages = Math.Min(maxCount, BatchSize),
                    WaitTimeSeconds = Math.Min(LongPollSeconds, Seconds(remaining)),
                    VisibilityTimeout = Seconds(lease),
                    MessageSystemAttributeNames = new List<string> { ReceiveCountAttribute },
                },
                cancellationToken)).ConfigureAwait(false);

            var claimed = new List<LeasedRequest>();
            foreach (var message in response.Messages ?? new List<Message>())
            {
                if (await ClaimAsync(group, url, workerId, message, leaseStart + TimeSpan.FromSeconds(Seconds(lease)), cancellationToken).ConfigureAwait(false) is { } leased)
                {
                    claimed.Add(leased);
                }
            }

            if (claimed.Count == 0)
            {
                await SweepDeadLettersAsync(group, cancellationToken).ConfigureAwait(false);
            }

            if (claimed.Count > 0 || options.Clock() >= deadline)
            {
                return claimed;
            }
        }
    }

    private async Task<LeasedRequest?> ClaimAsync(string group, string url, string workerId, Message message, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
    {
        var attempt = message.Attributes is { } attributes && attributes.TryGetValue(ReceiveCountAttribute, out var count)
            && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 1;
        QueuedRequest request;
        try
        {
            request = RemediationJson.Deserialize<QueuedRequest>(message.Body);
            SafeId(request.Id, "request ID");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or RemediationStoreException)
        {
            var id = "invalid-" + Guid.NewGuid().ToString("N");
            await DeadLetterAsync(new QueuedRequest { Id = id, WorkerGroup = group }, attempt, workerId, "The queued message is not a remediation request: " + ex.Message, Array.Empty<string>(), cancellationToken).ConfigureAwait(false);
            await DeleteMessageAsync(url, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            return null;
        }

        request.WorkerGroup = group;
        request.Attempts = attempt;
        request.Applied = new List<RemediationUndoRecord>();
        var key = Key(group);

        // On the first delivery nothing can have been recorded yet; later ones (and SQS's rare duplicates) look first.
        if (attempt > 1 && await GetItemAsync(key, "run#" + request.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            // A worker recorded the final run and was stopped before it deleted the message: it is done.
            await DeleteMessageAsync(url, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (attempt > MaxAttempts)
        {
            await DeadLetterAsync(request, attempt - 1, null, "The request was delivered more often than the store's " + MaxAttempts.ToString(CultureInfo.InvariantCulture) + " attempts.", Array.Empty<string>(), cancellationToken).ConfigureAwait(false);
            await DeleteMessageAsync(url, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (attempt > 1)
        {
            foreach (var item in await QueryAsync(key, "applied#" + request.Id + "#", cancellationToken).ConfigureAwait(false))
            {
                request.Applied.Add(Body<RemediationUndoRecord>(item));
                RememberApplied(request.Id, item[SortKey].S);
            }
        }

        if (attempt == MaxAttempts)
        {
            // If this lease expires too, SQS's redrive moves the request to the dead-letter queue: the sweep names this worker.
            await PutAsync(Item(key, "lease#" + request.Id, workerId), null, cancellationToken).ConfigureAwait(false);
        }

        var claimed = options.Clock();
        await PutAsync(PendingItem(request, RemediationRunStatus.Running, attempt, workerId, leaseExpires, claimed), null, cancellationToken).ConfigureAwait(false);
        return new LeasedRequest(request, workerId, attempt, leaseExpires, message.ReceiptHandle) { Claimed = claimed };
    }

    /// <inheritdoc />
    public async Task<bool> ExtendLeaseAsync(LeasedRequest request, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        // An expired lease may already be another worker's: its old receipt handle must not touch the message again.
        var start = options.Clock();
        if (start >= request.LeaseExpires)
        {
            return false;
        }

        var url = await QueueUrlAsync(request.Request.WorkerGroup, deadLetter: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await CallAsync("SQS ChangeMessageVisibility", () => sqs.ChangeMessageVisibilityAsync(
                new ChangeMessageVisibilityRequest { QueueUrl = url, ReceiptHandle = request.LeaseToken, VisibilityTimeout = Seconds(lease) },
                cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MessageNotInflightException or ReceiptHandleIsInvalidException)
        {
            return false;
        }

        request.LeaseExpires = start + TimeSpan.FromSeconds(Seconds(lease));
        await PutAsync(PendingItem(request.Request, RemediationRunStatus.Running, request.Attempt, request.WorkerId, request.LeaseExpires, request.Claimed), null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<bool> CompleteAsync(LeasedRequest request, RemediationRun run, CancellationToken cancellationToken)
    {
        if (request is null || run is null)
        {
            throw new ArgumentNullException(request is null ? nameof(request) : nameof(run));
        }

        var group = request.Request.WorkerGroup;
        run.Id = request.Request.Id;

        // Final record first, put only if absent (exactly one per request), then the message. A process killed in between
        // leaves a message that comes back; its next receiver finds the final record and deletes it.
        var created = await PutFinalRunAsync(run, cancellationToken).ConfigureAwait(false);
        var url = await QueueUrlAsync(group, deadLetter: false, cancellationToken).ConfigureAwait(false);
        await DeleteMessageAsync(url, request.LeaseToken, cancellationToken).ConfigureAwait(false);
        await DeleteRequestItemsAsync(request, cancellationToken).ConfigureAwait(false);
        await DeleteItemAsync(Key(group), PendingPrefix + request.Request.Id, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <inheritdoc />
    public async Task RecordAppliedAsync(LeasedRequest request, RemediationUndoRecord undoRecord, CancellationToken cancellationToken)
    {
        if (request is null || undoRecord is null)
        {
            throw new ArgumentNullException(request is null ? nameof(request) : nameof(undoRecord));
        }

        var now = options.Clock();
        var sk = "applied#" + SafeId(request.Request.Id, "request ID") + "#" + now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "#" + Guid.NewGuid().ToString("N");
        var item = Item(Key(request.Request.WorkerGroup), sk, RemediationJson.Serialize(undoRecord));

        // Outlives the message's 14 days: the TTL only clears records whose request vanished with its queue's retention.
        item[ExpiresAttribute] = Expires(now + TimeSpan.FromDays(15));
        await PutAsync(item, null, cancellationToken).ConfigureAwait(false);
        RememberApplied(request.Request.Id, sk);
    }

    // The sort keys of the undo records of the requests this store object holds (read at delivery or written since), so
    // that completing a request deletes them without a Query first.
    private readonly Dictionary<string, List<string>> appliedKeys = new(StringComparer.Ordinal);

    private void RememberApplied(string requestId, string sortKey)
    {
        lock (appliedKeys)
        {
            if (!appliedKeys.TryGetValue(requestId, out var keys))
            {
                appliedKeys[requestId] = keys = new List<string>();
            }

            keys.Add(sortKey);
        }
    }

    private List<string> ForgetApplied(string requestId)
    {
        lock (appliedKeys)
        {
            return appliedKeys.TryGetValue(requestId, out var keys) && appliedKeys.Remove(requestId) ? keys : new List<string>();
        }
    }

    /// <summary>Removes a finished request's undo records (those this store object read or wrote) and its lease item.</summary>
    private async Task DeleteRequestItemsAsync(LeasedRequest request, CancellationToken cancellationToken)
    {
        var key = Key(request.Request.WorkerGroup);
        foreach (var sortKey in ForgetApplied(request.Request.Id))
        {
            await DeleteItemAsync(key, sortKey, cancellationToken).ConfigureAwait(false);
        }

        if (request.Attempt >= MaxAttempts)
        {
            await DeleteItemAsync(key, "lease#" + request.Request.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<RemediationRunStatus> FailAsync(LeasedRequest request, RemediationRun run, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        if (request is null || run is null)
        {
            throw new ArgumentNullException(request is null ? nameof(request) : nameof(run));
        }

        var group = request.Request.WorkerGroup;
        run.Id = request.Request.Id + "-a" + request.Attempt.ToString(CultureInfo.InvariantCulture);
        run.Status = RemediationRunStatus.AttemptFailed;
        await RecordRunAsync(run, cancellationToken).ConfigureAwait(false);
        var url = await QueueUrlAsync(group, deadLetter: false, cancellationToken).ConfigureAwait(false);
        var leaseHeld = options.Clock() < request.LeaseExpires;
        if (request.Attempt >= MaxAttempts)
        {
            await DeadLetterAsync(request.Request, request.Attempt, request.WorkerId, run.Error, run.LogLines, cancellationToken).ConfigureAwait(false);
            await DeleteRequestItemsAsync(request, cancellationToken).ConfigureAwait(false);
            if (leaseHeld)
            {
                await DeleteMessageAsync(url, request.LeaseToken, cancellationToken).ConfigureAwait(false);
            }

            return RemediationRunStatus.DeadLettered;
        }

        // The next delivery is a later attempt, which reads the undo records again (and removes them on completion).
        ForgetApplied(request.Request.Id);
        await PutAsync(PendingItem(request.Request, RemediationRunStatus.Queued, request.Attempt, null, null), null, cancellationToken).ConfigureAwait(false);

        if (leaseHeld)
        {
            try
            {
                await CallAsync("SQS ChangeMessageVisibility", () => sqs.ChangeMessageVisibilityAsync(
                    new ChangeMessageVisibilityRequest { QueueUrl = url, ReceiptHandle = request.LeaseToken, VisibilityTimeout = Seconds(retryDelay) },
                    cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MessageNotInflightException or ReceiptHandleIsInvalidException)
            {
                // The lease had expired and the request is back in the queue already: it is retried either way.
            }
        }

        return RemediationRunStatus.AttemptFailed;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueuedRequest>> ListDeadLettersAsync(string group, CancellationToken cancellationToken)
    {
        var requests = new List<QueuedRequest>();
        foreach (var item in await QueryAsync(Key(group), "dead#", cancellationToken).ConfigureAwait(false))
        {
            requests.Add(Body<QueuedRequest>(item));
        }

        return requests.OrderBy(r => r.Enqueued).ToList();
    }

    /// <inheritdoc />
    public async Task<QueueCounts> CountAsync(string group, CancellationToken cancellationToken)
    {
        string url, deadUrl;
        try
        {
            url = await QueueUrlAsync(group, deadLetter: false, cancellationToken).ConfigureAwait(false);
            deadUrl = await QueueUrlAsync(group, deadLetter: true, cancellationToken).ConfigureAwait(false);
        }
        catch (RemediationStoreException ex) when (ex.Error == StoreError.GroupNotFound)
        {
            // Like a group folder that is not there: nothing waits.
            return new QueueCounts();
        }

        var names = new List<string> { "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed" };
        var main = await CallAsync("SQS GetQueueAttributes", () => sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = names }, cancellationToken)).ConfigureAwait(false);
        var dead = await CallAsync("SQS GetQueueAttributes", () => sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = deadUrl, AttributeNames = names }, cancellationToken)).ConfigureAwait(false);
        var swept = (await QueryAsync(Key(group), "dead#", cancellationToken).ConfigureAwait(false)).Count;
        return new QueueCounts
        {
            Waiting = Attribute(main, "ApproximateNumberOfMessages") + Attribute(main, "ApproximateNumberOfMessagesDelayed"),
            Leased = Attribute(main, "ApproximateNumberOfMessagesNotVisible"),
            DeadLettered = swept + Attribute(dead, "ApproximateNumberOfMessages") + Attribute(dead, "ApproximateNumberOfMessagesNotVisible"),
        };
    }

    private static int Attribute(GetQueueAttributesResponse response, string name)
        => response.Attributes is { } values && values.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>
    /// Moves what SQS's redrive put in the group's dead-letter queue into <c>dead#</c> items with a final DeadLettered
    /// run (unless the request had a final run already), then deletes the messages. At most once per
    /// <see cref="AwsStoreOptions.DeadLetterSweepInterval"/> per store object.
    /// </summary>
    private async Task SweepDeadLettersAsync(string group, CancellationToken cancellationToken)
    {
        var now = options.Clock().UtcTicks;
        var due = Interlocked.Read(ref nextSweepTicks);
        if (now < due || Interlocked.CompareExchange(ref nextSweepTicks, now + options.DeadLetterSweepInterval.Ticks, due) != due)
        {
            return;
        }

        var url = await QueueUrlAsync(group, deadLetter: true, cancellationToken).ConfigureAwait(false);
        var key = Key(group);
        for (var round = 0; round < 10; round++)
        {
            var response = await CallAsync("SQS ReceiveMessage", () => sqs.ReceiveMessageAsync(
                new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = BatchSize, WaitTimeSeconds = 0, VisibilityTimeout = 60 },
                cancellationToken)).ConfigureAwait(false);
            var messages = response.Messages ?? new List<Message>();
            if (messages.Count == 0)
            {
                return;
            }

            foreach (var message in messages)
            {
                QueuedRequest? request = null;
                try
                {
                    request = RemediationJson.Deserialize<QueuedRequest>(message.Body);
                    SafeId(request.Id, "request ID");
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or RemediationStoreException)
                {
                    request = null;
                }

                if (request is null)
                {
                    await DeadLetterAsync(new QueuedRequest { Id = "invalid-" + Guid.NewGuid().ToString("N"), WorkerGroup = group }, MaxAttempts, null, "The dead-lettered message is not a remediation request.", Array.Empty<string>(), cancellationToken).ConfigureAwait(false);
                }
                else if (await GetItemAsync(key, "run#" + request.Id, cancellationToken).ConfigureAwait(false) is null)
                {
                    request.WorkerGroup = group;
                    var holder = await GetItemAsync(key, "lease#" + request.Id, cancellationToken).ConfigureAwait(false);
                    var worker = holder is not null && holder.TryGetValue(BodyAttribute, out var body) ? body.S : null;
                    await DeadLetterAsync(
                        request,
                        MaxAttempts,
                        null,
                        "The lease of attempt " + MaxAttempts.ToString(CultureInfo.InvariantCulture) + " expired: its worker" + (worker is null ? string.Empty : " (" + worker + ")") + " stopped without finishing it.",
                        Array.Empty<string>(),
                        cancellationToken).ConfigureAwait(false);
                    await DeleteItemAsync(key, "lease#" + request.Id, cancellationToken).ConfigureAwait(false);
                }

                await DeleteMessageAsync(url, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The dead-letter item first, the final DeadLettered run second (only if the request has no final run).</summary>
    private async Task DeadLetterAsync(QueuedRequest request, int attempts, string? workerId, string? error, IReadOnlyList<string> logLines, CancellationToken cancellationToken)
    {
        request.Attempts = attempts;
        var key = Key(request.WorkerGroup);
        await PutAsync(Item(key, "dead#" + request.Id, RemediationJson.Serialize(request)), null, cancellationToken).ConfigureAwait(false);
        await PutFinalRunAsync(
            new RemediationRun
            {
                Id = request.Id,
                RequestId = request.Id,
                WorkerGroup = request.WorkerGroup,
                WorkerId = workerId,
                Status = RemediationRunStatus.DeadLettered,
                Attempts = attempts,
                Enqueued = request.Enqueued,
                Finished = options.Clock(),
                Error = error,
                LogLines = logLines,
            },
            cancellationToken).ConfigureAwait(false);
        await DeleteItemAsync(key, PendingPrefix + request.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteMessageAsync(string url, string receiptHandle, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("SQS DeleteMessage", () => sqs.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = url, ReceiptHandle = receiptHandle }, cancellationToken)).ConfigureAwait(false);
        }
        catch (ReceiptHandleIsInvalidException)
        {
            // The message is gone already (deleted by an earlier try of this call).
        }
    }
}
