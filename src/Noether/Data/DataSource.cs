namespace Noether.Data;

/// <summary>
/// One named real data source: how to recognise its files in a directory, how to load them, where
/// a package installs them, and the one-line instruction to get them that error messages end with.
/// The known sources are listed in <see cref="DataSources"/>.
/// </summary>
/// <param name="Name">Config name, e.g. "fashion-mnist" (<c>--set data=fashion-mnist</c>).</param>
/// <param name="Description">One line: what the data is and its size.</param>
/// <param name="HowToGet">How to obtain the files, e.g. "apt-get install dataset-fashion-mnist".</param>
/// <param name="Expected">The files looked for, as a message names them.</param>
/// <param name="SystemDirectories">Directories a package installs the files into, searched after the user's.</param>
/// <param name="IsPresent">True when a directory holds the source's files.</param>
/// <param name="Load">Loads the files of a directory; raises <see cref="DataException"/> for a missing or malformed file.</param>
public sealed record DataSource(
    string Name,
    string Description,
    string HowToGet,
    string Expected,
    IReadOnlyList<string> SystemDirectories,
    Func<string, bool> IsPresent,
    Func<string, SourceData> Load);
