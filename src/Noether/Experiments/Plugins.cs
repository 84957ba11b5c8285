using System.Reflection;
using Noether.Probes;

namespace Noether.Experiments;

/// <summary>
/// Experiments (and probes, rules, optimisers, schedules, initialisers, activations) defined in another .NET assembly,
/// loaded from its file: <c>noether --assembly PATH …</c> (any command) or a sweep whose manifest names it. Loading
/// registers every non-abstract <see cref="IExperiment"/> with a parameterless constructor (<see cref="Registry.Register"/>)
/// and every probe, rule and building block of the assembly, so the experiment runs, resumes and sweeps by id like a
/// paper's. A sweep records the absolute paths in manifest.json, and every <c>sweep run-trial</c> process loads them again
/// before it resolves its trial (docs/EXTENDING.md#an-experiment).
/// </summary>
public static class Plugins
{
    private static readonly List<string> _loaded = [];

    /// <summary>The absolute paths loaded in this process, in load order.</summary>
    public static IReadOnlyList<string> Loaded { get { lock (_loaded) return _loaded.ToList(); } }

    /// <summary>
    /// Loads the assembly at <paramref name="path"/> and registers what it defines; returns the ids of its experiments.
    /// Loading the same file twice does nothing more. A missing or unreadable file, or a name already taken, is a
    /// <see cref="ConfigException"/> naming the file.
    /// </summary>
    public static IReadOnlyList<string> Load(string path)
    {
        string full = Path.GetFullPath(path);
        lock (_loaded)
        {
            if (!File.Exists(full)) throw new ConfigException($"--assembly {path}: no such file; expected a .NET assembly (.dll) that defines experiments");
            Assembly assembly;
            try { assembly = Assembly.LoadFrom(full); }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException)
            {
                throw new ConfigException($"--assembly {path}: not a loadable .NET assembly ({e.Message.Split('\n')[0]})");
            }
            Type[] types;
            try { types = assembly.GetTypes(); }
            catch (ReflectionTypeLoadException e)
            {
                throw new ConfigException($"--assembly {path}: its types cannot be loaded ({e.LoaderExceptions.FirstOrDefault()?.Message.Split('\n')[0]}); build it against this Noether");
            }
            var ids = new List<string>();
            try
            {
                foreach (var t in types.Where(t => typeof(IExperiment).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null))
                {
                    var experiment = (IExperiment)Activator.CreateInstance(t)!;
                    ids.Add(experiment.Id);
                    if (Registry.Find(experiment.Id) is { } known && known.GetType() == t) continue; // registered in this process already
                    Registry.Register(experiment);
                }
                ProbeRegistry.Register(assembly);
                Learning.Rules.RuleRegistry.Register(assembly);
                Definitions<Nn.InitializerDefinition>.Register(assembly);
                Definitions<Learning.OptimizerDefinition>.Register(assembly);
                Definitions<Learning.ScheduleDefinition>.Register(assembly);
                Definitions<Nn.ActivationDefinition>.Register(assembly);
            }
            catch (ArgumentException e) { throw new ConfigException($"--assembly {path}: {e.Message}"); }
            if (!_loaded.Contains(full)) _loaded.Add(full);
            return ids;
        }
    }
}
