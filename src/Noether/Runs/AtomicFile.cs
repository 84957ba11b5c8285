namespace Noether.Runs;

/// <summary>Writes a file so that readers see either the old or the new content, never a partial one.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }

    public static void WriteAllBytes(string path, byte[] content)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }
}
