using System.Runtime.Versioning;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

/// <summary>
/// The local store is not readable or writable by other local users: folders 0700 and files 0600, or 0770 and 0660 when
/// shared with the group (REMEDIATION_STORE_SHARED=group); a looser store is tightened when it is opened. Skipped on Windows.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class LocalFolderStorePermissionTests : IDisposable
{
    private const string Group = "prod";
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupFolder = OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
    private const UnixFileMode GroupFile = OwnerFile | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode SharedFolder = GroupFolder | UnixFileMode.SetGroup;
    private const UnixFileMode RecordsFolder = OwnerFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;
    private const UnixFileMode RecordsFile = OwnerFile | UnixFileMode.GroupRead;
    private readonly StoreTestFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Root => Path.Combine(folder.Path, "store");

    private static async Task UseAsync(LocalFolderStore store)
    {
        await store.CreateGroupAsync(new WorkerGroupRecord
        {
            Group = new RemediationWorkerGroup
            {
                Name = Group,
                ClientId = "id",
                OrganizationId = "o-abcdefghij",
                CloudAccounts = new[] { new RemediationCloudAccount { AccountId = "111122223333", RoleArn = "arn:aws:iam::111122223333:role/R", ExternalId = "o-abcdefghij" } },
            },
            SecretHash = "hash",
        }, CancellationToken.None);
        var requests = Enumerable.Range(0, 3).Select(i => new QueuedRequest
        {
            Id = QueuedRequest.NewId(),
            Finding = new Finding { AccountId = "111122223333", Region = "us-east-1", ResourceId = "sg-" + i, RuleId = "r" },
        }).ToList();
        await store.EnqueueAsync(Group, requests, CancellationToken.None);
        var leases = await store.ReceiveAsync(Group, "w-1", 2, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        await store.CompleteAsync(leases[0], new RemediationRun { RequestId = leases[0].Request.Id, WorkerGroup = Group, WorkerId = "w-1", Status = RemediationRunStatus.Completed }, CancellationToken.None);
        await store.SaveWorkerAsync(new RemediationWorkerInfo { WorkerGroup = Group, WorkerId = "w-1", Host = "h" }, CancellationToken.None);
    }

    private static (UnixFileMode[] Folders, UnixFileMode[] Files) Modes(string root, string? except = null) => (
        Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root).Where(p => except is null || !p.StartsWith(except, StringComparison.Ordinal)).Select(File.GetUnixFileMode).Distinct().ToArray(),
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(p => except is null || !p.StartsWith(except, StringComparison.Ordinal)).Select(File.GetUnixFileMode).Distinct().ToArray());

    [UnixOnlyFact]
    public async Task NewStore_EveryFolderOwnerOnlyEveryFileOwnerOnly()
    {
        var store = new LocalFolderStore(Root, sharing: StoreSharing.Owner);

        await UseAsync(store);

        var (folders, files) = Modes(Root);
        Assert.True(Directory.GetFiles(Root, "*", SearchOption.AllDirectories).Length >= 5);
        Assert.Equal(new[] { OwnerFolder }, folders);
        Assert.Equal(new[] { OwnerFile }, files);
        Assert.Null(store.PermissionNote);
    }

    [UnixOnlyFact]
    public async Task SharedStore_SetGroupIdGroupFoldersAndFiles_RecordsReadOnlyForTheGroup()
    {
        var store = new LocalFolderStore(Root, sharing: StoreSharing.Group);

        await UseAsync(store);

        var groups = Path.Combine(Root, "groups");
        var (folders, files) = Modes(Root, except: groups);
        var (recordFolders, recordFiles) = Modes(groups);
        Assert.Equal(new[] { SharedFolder }, folders);
        Assert.Equal(new[] { GroupFile }, files);

        // The records hold the client secret's hash: the group reads them (workers verify), only the owner writes them.
        Assert.Equal(new[] { RecordsFolder }, recordFolders);
        Assert.Equal(new[] { RecordsFile }, recordFiles);
        Assert.True(Directory.GetFiles(groups, "*", SearchOption.AllDirectories).Length >= 1);
        Assert.Equal(StoreSharing.Group, store.Sharing);
    }

    [UnixOnlyFact]
    public async Task SharedStore_OpenedAgainWithoutTheVariable_StaysShared()
    {
        await UseAsync(new LocalFolderStore(Root, sharing: StoreSharing.Group));

        // What the admin's next session or a worker does: no REMEDIATION_STORE_SHARED, so the store's own sharing holds.
        var again = new LocalFolderStore(Root, sharing: null);

        Assert.Equal(StoreSharing.Group, again.Sharing);
        Assert.Null(again.PermissionNote);
        Assert.Equal(SharedFolder, File.GetUnixFileMode(Root));
    }

    [UnixOnlyFact]
    public async Task OwnerOnlyStoreShared_GroupChangedEverythingRemodedSecretFileUntouched()
    {
        await UseAsync(new LocalFolderStore(Root, sharing: StoreSharing.Owner));
        var secret = Path.Combine(Root, "prod.secret");
        RemediationTools.Core.Workers.WorkerClientSecret.WriteFile(secret, "s3cret");
        var groupId = Environment.UserName == "root" ? 10077 : (int?)null;

        var shared = new LocalFolderStore(Root, sharing: StoreSharing.Group, groupId: groupId);

        var (folders, files) = Modes(Path.Combine(Root, "queues"));
        Assert.Equal(new[] { SharedFolder }, folders);
        Assert.Equal(new[] { GroupFile }, files);
        Assert.Equal(RecordsFile, File.GetUnixFileMode(Directory.GetFiles(Path.Combine(Root, "groups"), "*.json", SearchOption.AllDirectories)[0]));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(secret));
        Assert.Contains("2770", shared.PermissionNote, StringComparison.Ordinal);
        if (groupId is not null)
        {
            Assert.Equal(groupId, shared.SharedGroupId);
            Assert.Contains("--group-add 10077", shared.PermissionNote, StringComparison.Ordinal);
        }
    }

    [UnixOnlyFact]
    public async Task ExistingLooseStore_TightenedOnOpenWithANote()
    {
        var loose = new LocalFolderStore(Root, sharing: StoreSharing.Group);
        await UseAsync(loose);
        File.SetUnixFileMode(Root, GroupFolder | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var store = new LocalFolderStore(Root, sharing: StoreSharing.Owner);

        var (folders, files) = Modes(Root);
        Assert.Equal(new[] { OwnerFolder }, folders);
        Assert.Equal(new[] { OwnerFile }, files);
        Assert.Contains("had mode 0775", store.PermissionNote, StringComparison.Ordinal);
        Assert.Contains("0700", store.PermissionNote, StringComparison.Ordinal);
        Assert.Null(new LocalFolderStore(Root, sharing: StoreSharing.Owner).PermissionNote);
    }

    [UnixOnlyFact]
    public void TempFolderRoot_ExistingWithDefaultMode_Tightened()
    {
        // StoreTestFolder is made with Directory.CreateDirectory (0777 less the umask, typically 0755).
        var store = new LocalFolderStore(folder.Path, sharing: StoreSharing.Owner);

        Assert.Equal(OwnerFolder, File.GetUnixFileMode(folder.Path));
        Assert.Equal(StoreSharing.Owner, store.Sharing);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("owner", "Owner", null)]
    [InlineData("GROUP", "Group", null)]
    [InlineData("group:1000", "Group", 1000)]
    public void FromEnvironment_KnownValues(string? value, string? expected, int? groupId)
    {
        var request = StorePermissions.FromEnvironment(_ => value);

        Assert.Equal(expected is null ? null : Enum.Parse<StoreSharing>(expected), request.Sharing);
        Assert.Equal(groupId, request.GroupId);
    }

    [Theory]
    [InlineData("everyone")]
    [InlineData("group:staff")]
    [InlineData("group:")]
    public void FromEnvironment_UnknownValue_ErrorNamesVariableAndValue(string value)
    {
        var ex = Assert.Throws<RemediationStoreException>(() => StorePermissions.FromEnvironment(_ => value));

        Assert.Equal(StoreError.StoreNotAvailable, ex.Error);
        Assert.Contains("REMEDIATION_STORE_SHARED", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'" + value + "'", ex.Message, StringComparison.Ordinal);
    }
}
