using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

/// <summary>The store contract on the local folder store: every store object opens the same folder, as processes would.</summary>
public sealed class LocalFolderStoreContractTests : StoreContractTests
{
    private readonly StoreTestFolder folder = new();

    private protected override IRemediationStore OpenStore() => new LocalFolderStore(folder.Path, Clock.Read) { PollInterval = TimeSpan.FromMilliseconds(5) };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            folder.Dispose();
        }

        base.Dispose(disposing);
    }
}
