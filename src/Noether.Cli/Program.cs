using Noether.Cli;

return Commands.Main(args);
