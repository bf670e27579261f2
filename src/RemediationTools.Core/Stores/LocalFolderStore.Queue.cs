using System.Globalization;

namespace RemediationTools.Core.Stores;

/// <summary>The queue half of <see cref="LocalFolderStore"/>: claim by atomic rename, leases in file names.</summary>
internal sealed partial class LocalFolderStore
{
    /// <inheritdoc />
    public Task EnqueueAsync(string group, IReadOnlyList<QueuedRequest> requests, CancellationToken cancellationToken)
    {
        var ready = QueueFolder(group, "ready");
        var now = clock();
        foreach (var request in requests)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SafeId(request.Id, "request ID");
            request.WorkerGroup = group;
            request.Attempts = 0;
            if (request.Enqueued == default)
            {
                request.Enqueued = now;
            }

            // Written in full under a temporary name in the same folder, then renamed: a receiver never sees a partial request.
            AtomicFile.WriteReplace(Path.Combine(ready, ReadyName(now, request.Id, 0)), Serialize(request));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LeasedRequest>> ReceiveAsync(string group, string workerId, int maxCount, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (maxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, "At least one request must be asked for.");
        }

        SafeId(workerId, "worker ID");
        var deadline = clock() + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folders = new[]
            {
                Path.Combine(root, "queues"), Path.Combine(root, "queues", Key(group)), QueueFolder(group, "ready"), QueueFolder(group, "leased"),
                QueueFolder(group, "dead"), QueueFolder(group, "applied"), Path.Combine(root, "runs"), Path.Combine(root, "runs", Key(group)),
            };
            var claimed = Guard(
                () =>
                {
                    // A queue folder this user may not enter reads as empty (Directory.Exists is false): that is an error, not an idle queue.
                    if (StorePermissions.FirstUnusable(root, folders) is { } unusable)
                    {
                        throw new UnauthorizedAccessException("Access to the path '" + unusable + "' is denied.");
                    }

                    ReturnExpiredLeases(group, cancellationToken);
                    return Claim(group, workerId, maxCount, lease, cancellationToken);
                },
                folders);
            if (claimed.Count > 0 || clock() >= deadline)
            {
                return claimed;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task<bool> ExtendLeaseAsync(LeasedRequest request, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var leased = QueueFolder(request.Request.WorkerGroup, "leased");
        var expires = clock() + lease;
        var name = LeasedName(expires, request.Request.Id, request.Attempt, request.WorkerId);
        try
        {
            // The same rename a sweeper uses to take an expired lease back: whichever comes first wins.
            AtomicFile.Rename(Path.Combine(leased, request.LeaseToken), Path.Combine(leased, name));
        }
        catch (Exception ex) when (AtomicFile.IsGone(ex))
        {
            return Task.FromResult(false);
        }

        request.LeaseToken = name;
        request.LeaseExpires = expires;
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<bool> CompleteAsync(LeasedRequest request, RemediationRun run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        run.Id = request.Request.Id;

        // Final record first, created only if absent (exactly one per request), then the request file. A process killed
        // in between leaves a lease that expires; the next receiver sees the final record and drops the request.
        var created = AtomicFile.WriteNew(RunPath(request.Request.WorkerGroup, run.Id), Serialize(run));
        AtomicFile.TryDelete(Path.Combine(QueueFolder(request.Request.WorkerGroup, "leased"), request.LeaseToken));
        DeleteApplied(request.Request.WorkerGroup, request.Request.Id);
        return Task.FromResult(created);
    }

    /// <inheritdoc />
    public Task RecordAppliedAsync(LeasedRequest request, RemediationUndoRecord undoRecord, CancellationToken cancellationToken)
    {
        if (request is null || undoRecord is null)
        {
            throw new ArgumentNullException(request is null ? nameof(request) : nameof(undoRecord));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var folder = QueueFolder(request.Request.WorkerGroup, "applied");

        // Made with the store's modes (and group), like every other folder: another user's worker may claim the request next.
        StorePermissions.CreateFolder(folder);
        var name = SafeId(request.Request.Id, "request ID") + "." + clock().UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N") + ".json";
        AtomicFile.WriteNew(Path.Combine(folder, name), Serialize(undoRecord));
        return Task.CompletedTask;
    }

    // The write-ahead undo records of a request, oldest first (the file names start with the request ID and the time).
    private List<RemediationUndoRecord> ReadApplied(string group, string id)
    {
        var records = new List<RemediationUndoRecord>();
        foreach (var file in SafeList(QueueFolder(group, "applied"), id + ".*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            if (AtomicFile.TryRead(file) is { } bytes)
            {
                records.Add(Deserialize<RemediationUndoRecord>(bytes, file));
            }
        }

        return records;
    }

    private void DeleteApplied(string group, string id)
    {
        foreach (var file in SafeList(QueueFolder(group, "applied"), id + ".*.json"))
        {
            AtomicFile.TryDelete(file);
        }
    }

    /// <inheritdoc />
    public Task<RemediationRunStatus> FailAsync(LeasedRequest request, RemediationRun run, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var group = request.Request.WorkerGroup;
        run.Id = request.Request.Id + "-a" + request.Attempt.ToString(CultureInfo.InvariantCulture);
        run.Status = RemediationRunStatus.AttemptFailed;
        AtomicFile.WriteReplace(RunPath(group, run.Id), Serialize(run));

        var source = Path.Combine(QueueFolder(group, "leased"), request.LeaseToken);
        if (request.Attempt >= MaxAttempts)
        {
            DeadLetter(group, source, request.Request, request.Attempt, request.WorkerId, run.Error, run.LogLines);
            return Task.FromResult(RemediationRunStatus.DeadLettered);
        }

        try
        {
            AtomicFile.Rename(source, Path.Combine(QueueFolder(group, "ready"), ReadyName(clock() + retryDelay, request.Request.Id, request.Attempt)));
        }
        catch (Exception ex) when (AtomicFile.IsGone(ex))
        {
            // The lease had expired and the request went back to the queue already: it is retried either way.
        }

        return Task.FromResult(RemediationRunStatus.AttemptFailed);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<QueuedRequest>> ListDeadLettersAsync(string group, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var requests = new List<QueuedRequest>();
        foreach (var file in SafeList(QueueFolder(group, "dead"), "*" + RequestExtension))
        {
            if (AtomicFile.TryRead(file) is { } bytes && ParseName(Path.GetFileName(file), 2) is { } parts)
            {
                var request = Deserialize<QueuedRequest>(bytes, file);
                request.Attempts = int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture);
                requests.Add(request);
            }
        }

        return Task.FromResult<IReadOnlyList<QueuedRequest>>(requests.OrderBy(r => r.Enqueued).ToList());
    }

    /// <inheritdoc />
    public Task<QueueCounts> CountAsync(string group, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new QueueCounts
        {
            Waiting = SafeList(QueueFolder(group, "ready"), "*" + RequestExtension).Length,
            Leased = SafeList(QueueFolder(group, "leased"), "*" + RequestExtension).Length,
            DeadLettered = SafeList(QueueFolder(group, "dead"), "*" + RequestExtension).Length,
        });
    }

    /// <summary>
    /// The requests of the queue as runs, oldest first: Queued (waiting in <c>ready</c>, or leased by a worker whose lease
    /// expired, which goes back to the queue) and Running (leased). A request whose final run is recorded is done, not pending.
    /// </summary>
    private List<RemediationRun> ListPending(string group, CancellationToken cancellationToken)
    {
        var now = clock();
        var pending = new List<RemediationRun>();
        foreach (var (area, partCount) in new[] { ("ready", 3), ("leased", 4) })
        {
            foreach (var file in SafeList(QueueFolder(group, area), "*" + RequestExtension))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ParseName(Path.GetFileName(file), partCount) is not { } parts || File.Exists(RunPath(group, parts[1]))
                    || AtomicFile.TryRead(file) is not { } bytes || TryDeserialize(bytes) is not { } request)
                {
                    // Claimed, finished or removed while listed; or not a request (a worker dead-letters it).
                    continue;
                }

                var attempts = int.Parse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture);
                var running = area == "leased" && TicksOf(parts[0]) > now.UtcTicks;
                pending.Add(new RemediationRun
                {
                    Id = parts[1],
                    RequestId = parts[1],
                    WorkerGroup = group,
                    WorkerId = running ? parts[3] : null,
                    Status = running ? RemediationRunStatus.Running : RemediationRunStatus.Queued,
                    // A ready name counts the attempts made; a lease name the attempt under way (or, expired, the one that was lost).
                    Attempts = attempts,
                    Enqueued = request.Enqueued,
                    Started = running ? WriteTimeOf(file) : null,
                });
            }
        }

        return pending.OrderBy(r => r.Enqueued).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    private static void TrySetWriteTime(string path, DateTimeOffset time)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only the Started time Get-RemediationRun shows depends on it.
        }
    }

    private static DateTimeOffset? WriteTimeOf(string path)
    {
        try
        {
            return new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private List<LeasedRequest> Claim(string group, string workerId, int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var ready = QueueFolder(group, "ready");
        var leased = QueueFolder(group, "leased");
        var now = clock();
        var claimed = new List<LeasedRequest>();
        var candidates = SafeList(ready, "*" + RequestExtension).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var name in candidates)
        {
            if (claimed.Count >= maxCount)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (ParseName(name!, 3) is not { } parts)
            {
                continue;
            }

            if (TicksOf(parts[0]) > now.UtcTicks)
            {
                // Names sort by visible-after time: the rest are waiting for a retry delay too.
                break;
            }

            var id = parts[1];
            var attempt = int.Parse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture) + 1;
            var expires = now + lease;
            var leaseName = LeasedName(expires, id, attempt, workerId);
            var leasePath = Path.Combine(leased, leaseName);
            try
            {
                StorePermissions.CreateFolder(leased);
                AtomicFile.Rename(Path.Combine(ready, name!), leasePath);
            }
            catch (Exception ex) when (AtomicFile.IsGone(ex))
            {
                // Another worker claimed it first.
                continue;
            }

            var bytes = AtomicFile.TryRead(leasePath);
            if (bytes is null)
            {
                continue;
            }

            QueuedRequest request;
            try
            {
                request = Deserialize<QueuedRequest>(bytes, leasePath);
            }
            catch (RemediationStoreException ex)
            {
                DeadLetter(group, leasePath, new QueuedRequest { Id = id, WorkerGroup = group }, attempt, workerId, ex.Message, Array.Empty<string>());
                continue;
            }

            request.WorkerGroup = group;
            request.Attempts = attempt;
            request.Applied = ReadApplied(group, id);
            if (File.Exists(RunPath(group, id)))
            {
                // A worker recorded the final run and was stopped before it removed the request: it is done.
                AtomicFile.TryDelete(leasePath);
                continue;
            }

            // The lease file's write time is the claim time (renames keep it): Get-RemediationRun shows it as Started.
            TrySetWriteTime(leasePath, now);
            claimed.Add(new LeasedRequest(request, workerId, attempt, expires, leaseName) { Claimed = now });
        }

        return claimed;
    }

    private void ReturnExpiredLeases(string group, CancellationToken cancellationToken)
    {
        var leased = QueueFolder(group, "leased");
        var now = clock();
        foreach (var path in SafeList(leased, "*" + RequestExtension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            if (ParseName(name, 4) is not { } parts || TicksOf(parts[0]) > now.UtcTicks)
            {
                continue;
            }

            var id = parts[1];
            var attempt = int.Parse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture);
            if (attempt >= MaxAttempts)
            {
                var request = AtomicFile.TryRead(path) is { } bytes ? TryDeserialize(bytes) : null;
                DeadLetter(group, path, request ?? new QueuedRequest { Id = id, WorkerGroup = group }, attempt, null,
                    "The lease of attempt " + attempt.ToString(CultureInfo.InvariantCulture) + " expired: its worker (" + parts[3] + ") stopped without finishing it.",
                    Array.Empty<string>());
                continue;
            }

            try
            {
                AtomicFile.Rename(path, Path.Combine(QueueFolder(group, "ready"), ReadyName(now, id, attempt)));
            }
            catch (Exception ex) when (AtomicFile.IsGone(ex))
            {
                // Extended, finished or returned by someone else meanwhile.
            }
        }
    }

    private void DeadLetter(string group, string leasePath, QueuedRequest request, int attempts, string? workerId, string? error, IReadOnlyList<string> logLines)
    {
        var dead = QueueFolder(group, "dead");
        StorePermissions.CreateFolder(dead);
        try
        {
            // Moved first, recorded second: a process killed in between leaves the request in the dead-letter area
            // (listed there) rather than a record of a request that is no longer anywhere.
            AtomicFile.Rename(leasePath, Path.Combine(dead, request.Id + "." + attempts.ToString(CultureInfo.InvariantCulture) + RequestExtension));
        }
        catch (Exception ex) when (AtomicFile.IsGone(ex))
        {
            return;
        }

        var run = new RemediationRun
        {
            Id = request.Id,
            RequestId = request.Id,
            WorkerGroup = group,
            WorkerId = workerId,
            Status = RemediationRunStatus.DeadLettered,
            Attempts = attempts,
            Enqueued = request.Enqueued,
            Finished = clock(),
            Error = error,
            LogLines = logLines,
        };
        AtomicFile.WriteNew(RunPath(group, request.Id), Serialize(run));
    }

    private static QueuedRequest? TryDeserialize(byte[] bytes)
    {
        try
        {
            return Deserialize<QueuedRequest>(bytes, "request");
        }
        catch (RemediationStoreException)
        {
            return null;
        }
    }

    private string QueueFolder(string group, string area) => Path.Combine(root, "queues", Key(group), area);

    private static string ReadyName(DateTimeOffset visibleAfter, string id, int attempts)
        => Ticks(visibleAfter) + "." + id + "." + attempts.ToString(CultureInfo.InvariantCulture) + RequestExtension;

    private static string LeasedName(DateTimeOffset expires, string id, int attempt, string workerId)
        => Ticks(expires) + "." + id + "." + attempt.ToString(CultureInfo.InvariantCulture) + "." + workerId + RequestExtension;

    private static string Ticks(DateTimeOffset time) => time.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    private static long TicksOf(string text) => long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static string[]? ParseName(string name, int partCount)
    {
        if (!name.EndsWith(RequestExtension, StringComparison.Ordinal) || name.StartsWith(".", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = name.Substring(0, name.Length - RequestExtension.Length).Split('.');
        return parts.Length == partCount && parts.All(p => p.Length > 0) && (partCount == 2 || parts[0].All(char.IsDigit)) ? parts : null;
    }
}
