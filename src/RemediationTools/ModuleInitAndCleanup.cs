using System.Management.Automation;
using System.Reflection;

namespace RemediationTools;

/// <summary>
/// Loads the module's third-party dependencies (AWSSDK.* and their helpers) from the <c>dependencies</c>
/// folder beside the module. On PowerShell 7 they go into a named AssemblyLoadContext of their own, so the
/// module works in a session that already loaded another AWSSDK.Core (AWS Tools for PowerShell, say); on
/// Windows PowerShell 5.1 they are loaded from that folder by path.
/// </summary>
public sealed class ModuleInitAndCleanup : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string LoadContextName = "RemediationTools.Dependencies";

    private static readonly Assembly ModuleAssembly = typeof(ModuleInitAndCleanup).Assembly;
    private static readonly string ModuleFolder = Path.GetDirectoryName(ModuleAssembly.Location) ?? string.Empty;
    private static readonly string DependencyFolder = Path.Combine(ModuleFolder, "dependencies");
    private static readonly object Gate = new();
    private static IsolatedLoadContext? s_loadContext;
    private static bool s_contextCreated;

    /// <summary>Registers the resolver when the module is imported. Does no I/O beyond that.</summary>
    public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;

    /// <summary>Removes the resolver when the module is removed.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;

    private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
    {
        var wanted = new AssemblyName(args.Name);
        if (string.IsNullOrEmpty(wanted.Name))
        {
            return null;
        }

        // Our own engine sits beside the cmdlet assembly and shares its (default) context, so that output
        // types are the same types wherever PowerShell meets them.
        string besideModule = Path.Combine(ModuleFolder, wanted.Name + ".dll");
        if (string.Equals(wanted.Name, "RemediationTools.Core", StringComparison.Ordinal) && File.Exists(besideModule))
        {
            return Assembly.LoadFrom(besideModule);
        }

        // Only requests made by this module or by its dependencies are ours to answer; another module's
        // missing assembly is none of our business.
        Assembly? requester = args.RequestingAssembly;
        if (requester is not null && !IsOurs(requester))
        {
            return null;
        }

        // The first load of a dependency always comes from our own code (a static reference, so the requester is
        // known). A request without a requester before that is someone else's: typically the runtime's start-up
        // JIT profile (shared by every pwsh process of the user) replaying a session that had AWSSDK.Core in the
        // default context, which would otherwise load our AWS SDK at Import-Module.
        if (requester is null && !IsLoadContextCreated())
        {
            return null;
        }

        string candidate = Path.Combine(DependencyFolder, wanted.Name + ".dll");
        if (!File.Exists(candidate))
        {
            return null;
        }

        IsolatedLoadContext? context = GetLoadContext();
        return context is null ? Assembly.LoadFrom(candidate) : context.LoadFromAssemblyPath(candidate);
    }

    private static bool IsOurs(Assembly assembly)
    {
        if (assembly == ModuleAssembly)
        {
            return true;
        }

        string? location = assembly.IsDynamic ? null : assembly.Location;
        if (string.IsNullOrEmpty(location))
        {
            return false;
        }

        string folder = Path.GetDirectoryName(location) ?? string.Empty;
        return string.Equals(folder, ModuleFolder, StringComparison.OrdinalIgnoreCase)
            || string.Equals(folder, DependencyFolder, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsLoadContextCreated()
    {
        lock (Gate)
        {
            return s_contextCreated;
        }
    }

    private static IsolatedLoadContext? GetLoadContext()
    {
        lock (Gate)
        {
            if (!s_contextCreated)
            {
                s_loadContext = IsolatedLoadContext.TryCreate(LoadContextName);
                s_contextCreated = true;
            }

            return s_loadContext;
        }
    }

    /// <summary>
    /// A named System.Runtime.Loader.AssemblyLoadContext, reached by reflection because this assembly targets
    /// netstandard2.0 (which has no such type) so that one build serves PowerShell 5.1 and 7.
    /// </summary>
    private sealed class IsolatedLoadContext
    {
        private readonly object _context;
        private readonly MethodInfo _loadFromAssemblyPath;

        private IsolatedLoadContext(object context, MethodInfo loadFromAssemblyPath)
        {
            _context = context;
            _loadFromAssemblyPath = loadFromAssemblyPath;
        }

        internal static IsolatedLoadContext? TryCreate(string name)
        {
            Type? type = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            ConstructorInfo? constructor = type?.GetConstructor(new[] { typeof(string), typeof(bool) });
            MethodInfo? load = type?.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            if (constructor is null || load is null)
            {
                return null;
            }

            return new IsolatedLoadContext(constructor.Invoke(new object[] { name, false }), load);
        }

        internal Assembly LoadFromAssemblyPath(string path) => (Assembly)_loadFromAssemblyPath.Invoke(_context, new object[] { path });
    }
}
