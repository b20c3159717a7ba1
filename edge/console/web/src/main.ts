import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { ConsoleApp } from './app/console-app.js';

void new ConsoleApp(document.getElementById('app')!).start();
