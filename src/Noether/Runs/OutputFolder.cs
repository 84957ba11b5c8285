namespace Noether.Runs;

/// <summary>An output folder Noether may not use: a file, unwritable, or a folder holding someone else's files.</summary>
public sealed class OutputFolderException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// The rule for every folder Noether writes into (run folders, reproduce and sweep folders): it must be
/// new, empty, or already hold Noether's marker file <see cref="MarkerName"/>, which Noether writes when
/// it takes a folder. A folder with other files and no marker is refused, so Noether never writes over
/// or deletes files it did not write.
/// </summary>
public static class OutputFolder
{
    /// <summary>The marker file: its presence says Noether made this folder and may replace its own files in it.</summary>
    public const string MarkerName = ".noether";

    /// <summary>True when <paramref name="dir"/> holds Noether's marker.</summary>
    public static bool IsNoethers(string dir) => File.Exists(Path.Combine(dir, MarkerName));

    /// <summary>
    /// Creates <paramref name="dir"/> or checks that Noether may write into it, then writes the marker.
    /// Returns true when the folder did not exist before. <paramref name="option"/> names the flag or file
    /// the path came from in messages ("--out"); <paramref name="ownFiles"/> are names of Noether's own
    /// files that may precede the marker (a sweep trial's lock).
    /// </summary>
    public static bool Claim(string dir, string option = "--out", params string[] ownFiles)
    {
        Check(dir, option, ownFiles);
        bool created = !Directory.Exists(dir);
        try
        {
            Directory.CreateDirectory(dir);
            if (!IsNoethers(dir))
                File.WriteAllText(Path.Combine(dir, MarkerName), "This folder was made by Noether; Noether may replace the files it wrote here.\n");
        }
        catch (Exception e) when (e is (IOException and not OutputFolderException) or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OutputFolderException($"{option} '{dir}': cannot write there ({e.Message.Split('\n')[0].Trim()}); expected a writable folder path", e);
        }
        return created;
    }

    /// <summary>
    /// The checks of <see cref="Claim"/> without writing anything: <paramref name="dir"/> is not a file and is
    /// new, empty, or Noether's. Lets a command refuse a folder before it prints or starts anything.
    /// </summary>
    public static void Check(string dir, string option = "--out", params string[] ownFiles)
    {
        if (File.Exists(dir) || (Path.Exists(dir) && !Directory.Exists(dir)))
            throw new OutputFolderException($"{option} '{dir}' is a file, not a folder; expected a new folder or a Noether run folder");
        if (!Directory.Exists(dir) || IsNoethers(dir)) return;
        string? other;
        try { other = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).FirstOrDefault(n => !ownFiles.Contains(n)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"{option} '{dir}': cannot read it ({e.Message.Split('\n')[0].Trim()}); expected a readable, writable folder", e);
        }
        if (other is not null)
            throw new OutputFolderException($"{option} '{dir}' exists and holds files Noether did not write (e.g. '{other}', and no {MarkerName} marker); expected a new or empty folder, or one Noether made");
    }

    /// <summary>
    /// Removes <paramref name="files"/> (names relative to <paramref name="dir"/>) that Noether wrote, then the
    /// folder itself when <paramref name="created"/> and nothing else is left in it.
    /// </summary>
    public static void Remove(string dir, bool created, params string[] files)
    {
        foreach (var f in files)
        {
            string path = Path.Combine(dir, f);
            if (File.Exists(path)) File.Delete(path);
        }
        if (created && Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).All(e => Path.GetFileName(e) == MarkerName))
            Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// Deletes the files matching <paramref name="pattern"/> in the subfolder <paramref name="sub"/> of a
    /// Noether folder and in its subfolders (outputs of an earlier run), then every folder that left empty.
    /// </summary>
    public static void ClearSubfolder(string dir, string sub, string pattern)
    {
        string path = Path.Combine(dir, sub);
        if (!Directory.Exists(path)) return;
        foreach (var f in Directory.GetFiles(path, pattern, SearchOption.AllDirectories)) File.Delete(f);
        foreach (var d in Directory.GetDirectories(path, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(path))
            if (!Directory.EnumerateFileSystemEntries(d).Any()) Directory.Delete(d);
    }
}
