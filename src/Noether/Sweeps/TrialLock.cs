namespace Noether.Sweeps;

/// <summary>
/// An exclusive lock on a trial folder (trial.lock, an advisory file lock the OS drops when the
/// process dies, even by SIGKILL), so two workers never run one trial at once and `status` can
/// tell a running trial from one whose worker is gone.
/// </summary>
public sealed class TrialLock : IDisposable
{
    public const string FileName = "trial.lock";
    private readonly FileStream _stream;

    private TrialLock(FileStream stream) { _stream = stream; }

    /// <summary>Takes the lock, retrying for up to <paramref name="wait"/>; null if another process holds it.</summary>
    public static TrialLock? TryAcquire(string trialDirectory, TimeSpan wait = default)
    {
        Directory.CreateDirectory(trialDirectory);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var s = TryOpen(trialDirectory);
            if (s is not null) return new TrialLock(s);
            if (DateTime.UtcNow >= deadline) return null;
            Thread.Sleep(50);
        }
    }

    /// <summary>Whether some live process holds the lock of this trial folder.</summary>
    public static bool IsHeld(string trialDirectory)
    {
        if (!File.Exists(Path.Combine(trialDirectory, FileName))) return false;
        using var s = TryOpen(trialDirectory);
        return s is null;
    }

    private static FileStream? TryOpen(string dir)
    {
        try { return new FileStream(Path.Combine(dir, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }

    public void Dispose() => _stream.Dispose();
}
